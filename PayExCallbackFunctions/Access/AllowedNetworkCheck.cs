using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Access;

/// <summary>
/// Refuses callbacks from addresses outside <see cref="AccessOptions.AllowedNetworks"/>. The address is
/// the one the Functions host saw the request come from (see <see cref="ClientAddress"/>).
/// </summary>
public sealed partial class AllowedNetworkCheck(IOptionsMonitor<AccessOptions> options, ILogger<AllowedNetworkCheck> logger)
{
    /// <summary>The refusal to answer with; null if the caller may go on.</summary>
    public IResult? Refuse(HttpContext context)
    {
        var networks = options.CurrentValue.AllowedNetworkList();
        if (networks.Length == 0)
        {
            return null;
        }

        var address = ClientAddress.Of(context);
        if (address is not null && networks.Any(n => n.Contains(address)))
        {
            return null;
        }

        // Worth a look: PayEx announces new sender addresses, and a missed announcement shows up here.
        LogRefused(logger, address?.ToString());
        return TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Callbacks are not accepted from this address.",
            detail: "The caller's address is not in Access__AllowedNetworks.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a callback from {ClientAddress}: not in Access__AllowedNetworks")]
    private static partial void LogRefused(ILogger logger, string? clientAddress);
}
