using System.Net;
using System.Net.Sockets;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// Addresses a webhook must not reach unless <c>Events__AllowPrivateNetworks</c> (SSRF: a URL that resolves into the
/// app's own network, the platform's metadata endpoint, or the machine itself): loopback, private (RFC 1918, IPv6 unique
/// local), link-local (169.254/16 holds the metadata endpoints), shared (100.64/10), unspecified and multicast.
/// </summary>
public static class PrivateNetworks
{
    private static readonly IPNetwork[] V4 =
    [
        IPNetwork.Parse("0.0.0.0/8"),
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"),
        IPNetwork.Parse("224.0.0.0/3"),
    ];

    private static readonly IPNetwork[] V6 =
    [
        IPNetwork.Parse("::/128"),
        IPNetwork.Parse("::1/128"),
        IPNetwork.Parse("fc00::/7"),
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("ff00::/8"),
    ];

    public static bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var networks = address.AddressFamily == AddressFamily.InterNetwork ? V4 : V6;
        return networks.Any(n => n.Contains(address));
    }
}
