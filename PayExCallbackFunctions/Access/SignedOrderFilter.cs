using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Access;

/// <summary>
/// Checks the per-order signature of a callback URL (<c>?order=...&amp;sig=...</c>); a verified order
/// reference is handed on to the callback, which the processor checks against what PayEx returns.
/// </summary>
public sealed partial class SignedOrderFilter(IOptionsMonitor<AccessOptions> options, ILogger<SignedOrderFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var access = options.CurrentValue;
        var query = context.HttpContext.Request.Query;
        var order = query[CallbackUrl.OrderParameter];
        var signature = query[CallbackUrl.SignatureParameter];
        if (order.Count == 0 && signature.Count == 0)
        {
            return access.SignatureRequired()
                ? Refuse(context.HttpContext, "The callback URL is not signed for an order.", "Give PayEx the callback URL made for the order (see the README: per-order callback URLs).")
                : await next(context);
        }

        var secrets = access.SigningSecrets();
        if (secrets.Length == 0)
        {
            return Refuse(context.HttpContext, "The callback URL's signature cannot be checked.", "Access__SigningSecret is not set.");
        }

        if (order.Count != 1 || signature.Count != 1 || !CallbackSignature.Verify(order[0], signature[0], secrets))
        {
            return Refuse(context.HttpContext, "The callback URL's signature does not verify.", "The order and sig parameters must be as the callback URL was made.");
        }

        SignedOrder.Set(context.HttpContext, order[0]!);
        return await next(context);
    }

    private ProblemHttpResult Refuse(HttpContext context, string title, string detail)
    {
        LogRefused(logger, ClientAddress.Of(context)?.ToString(), title);
        return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: title, detail: detail);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a callback from {ClientAddress}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string? clientAddress, string reason);
}

/// <summary>The order reference a callback URL was verified to be signed for.</summary>
public static class SignedOrder
{
    private static readonly object Key = new();

    public static void Set(HttpContext context, string orderReference) => context.Items[Key] = orderReference;

    public static string? Of(HttpContext context) => context.Items.TryGetValue(Key, out var value) ? value as string : null;
}
