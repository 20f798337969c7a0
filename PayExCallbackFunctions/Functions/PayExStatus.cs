using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.Status;

namespace PayExCallbackFunctions.Functions;

/// <summary>The operator's status page and its Replay and Discard buttons (master key).</summary>
public sealed class PayExStatus(StatusPageRequests page)
{
    [Function(nameof(PayExStatus))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", "post", Route = "payex/status/{*rest}")] HttpRequest request,
        string? rest)
    {
        ArgumentNullException.ThrowIfNull(request);
        return page.HandleAsync(request, rest, request.HttpContext.RequestAborted);
    }
}
