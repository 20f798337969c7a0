using System.Net;
using System.Net.Sockets;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// Connects a webhook to an address checked as it is connected to, not as it was when the URL was read: a host name that
/// resolves (or is made to resolve, later) to a private, loopback or link-local address is refused unless
/// <c>Events__AllowPrivateNetworks</c>. The address checked is the address connected to, so re-resolving cannot slip past.
/// </summary>
public static class WebhookConnections
{
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Guard(bool allowPrivateNetworks) =>
        async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
            var allowed = allowPrivateNetworks ? addresses : addresses.Where(a => !PrivateNetworks.Contains(a)).ToArray();
            if (allowed.Length == 0)
            {
                throw new HttpRequestException($"{host} resolves to no public address (a private, loopback or link-local address needs Events__AllowPrivateNetworks)");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}
