using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.Api;

namespace PayExCallbackFunctions.Functions;

/// <summary>The payments API for the order system, after the host checked this function's own key (not the callback's).</summary>
public sealed class PayExPayments(PaymentsApi api)
{
    [Function(nameof(PayExPayments))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", "post", "delete", Route = "payments/{*rest}")] HttpRequest request,
        string? rest)
    {
        ArgumentNullException.ThrowIfNull(request);
        return api.HandleAsync(request, rest, request.HttpContext.RequestAborted);
    }
}
