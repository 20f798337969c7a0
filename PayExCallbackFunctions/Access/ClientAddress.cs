using System.Net;

namespace PayExCallbackFunctions.Access;

/// <summary>
/// The caller's address. The host proxies each request to the worker from loopback and puts the
/// address it saw in <c>X-Forwarded-For</c>, which the worker's ASP.NET Core integration makes the
/// connection's remote address; the host sets the header itself, so a caller cannot choose it.
/// </summary>
public static class ClientAddress
{
    /// <summary>As IPv4 where it is one (not IPv4-mapped IPv6).</summary>
    public static IPAddress? Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var address = context.Connection.RemoteIpAddress;
        return address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
    }
}
