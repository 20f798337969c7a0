using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Access;

/// <summary>
/// Checks the per-order signature of a callback URL (<c>?order=...&amp;sig=...</c>); a verified order
/// reference is handed on with the callback, and the processor checks it against what PayEx returns.
/// </summary>
public sealed partial class SignedOrderCheck(IOptionsMonitor<AccessOptions> options, ILogger<SignedOrderCheck> logger)
{
    /// <summary>The refusal to answer with, or null and the order the URL is signed for (null if unsigned and allowed).</summary>
    public IResult? Refuse(HttpContext context, out string? signedOrder)
    {
        ArgumentNullException.ThrowIfNull(context);
        signedOrder = null;
        var access = options.CurrentValue;
        var query = context.Request.Query;
        var order = query[CallbackUrl.OrderParameter];
        var signature = query[CallbackUrl.SignatureParameter];
        if (order.Count == 0 && signature.Count == 0)
        {
            return access.SignatureRequired()
                ? Refusal(context, "The callback URL is not signed for an order.", "Give PayEx the callback URL made for the order (see the README: per-order callback URLs).")
                : null;
        }

        var secrets = access.SigningSecrets();
        if (secrets.Length == 0)
        {
            return Refusal(context, "The callback URL's signature cannot be checked.", "Access__SigningSecret is not set.");
        }

        if (order.Count != 1 || signature.Count != 1 || !CallbackSignature.Verify(order[0], signature[0], secrets))
        {
            return Refusal(context, "The callback URL's signature does not verify.", "The order and sig parameters must be as the callback URL was made.");
        }

        signedOrder = order[0];
        return null;
    }

    private ProblemHttpResult Refusal(HttpContext context, string title, string detail)
    {
        LogRefused(logger, ClientAddress.Of(context)?.ToString(), title);
        return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: title, detail: detail);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a callback from {ClientAddress}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string? clientAddress, string reason);
}
