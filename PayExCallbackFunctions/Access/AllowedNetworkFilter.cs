using System.Net;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Access;

/// <summary>
/// Refuses callbacks from addresses outside <see cref="AccessOptions.AllowedNetworks"/>. The address
/// is the connection's, or what a trusted proxy put in <c>X-Forwarded-For</c> (see <see cref="ClientAddress"/>).
/// </summary>
public sealed partial class AllowedNetworkFilter(IOptionsMonitor<AccessOptions> options, ILogger<AllowedNetworkFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var networks = options.CurrentValue.AllowedNetworkList();
        if (networks.Length > 0)
        {
            var address = ClientAddress.Of(context.HttpContext);
            if (address is null || !networks.Any(n => n.Contains(address)))
            {
                // Worth a look: PayEx announces new sender addresses, and a missed announcement shows up here.
                LogRefused(logger, address?.ToString());
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Callbacks are not accepted from this address.",
                    detail: "The caller's address is not in Access__AllowedNetworks.");
            }
        }

        return await next(context);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a callback from {ClientAddress}: not in Access__AllowedNetworks")]
    private static partial void LogRefused(ILogger logger, string? clientAddress);
}

public static class ClientAddress
{
    /// <summary>The caller's address as IPv4 where it is one (not IPv4-mapped IPv6), after trusted proxies' forwarding.</summary>
    public static IPAddress? Of(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        return address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
    }
}
