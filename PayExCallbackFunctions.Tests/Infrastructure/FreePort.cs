using System.Net;
using System.Net.Sockets;

namespace PayExCallbackFunctions.Tests.Infrastructure;

public static class FreePort
{
    // Below Linux's ephemeral range (32768+), which outgoing connections draw from: a port the
    // kernel hands out for port 0 can be taken by a client socket before the app binds it.
    private const int First = 20000;
    private const int Last = 32000;

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int Next()
    {
        for (var tries = 0; tries < 100; tries++)
        {
            var port = Random.Shared.Next(First, Last);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }

        using var any = new TcpListener(IPAddress.Loopback, 0);
        any.Start();
        return ((IPEndPoint)any.LocalEndpoint).Port;
    }
}
