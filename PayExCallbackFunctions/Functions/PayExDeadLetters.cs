using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.DeadLetters;

namespace PayExCallbackFunctions.Functions;

/// <summary>The dead letters, a page at a time (master key).</summary>
public sealed class PayExDeadLetters(DeadLetterAdmin admin)
{
    [Function(nameof(PayExDeadLetters))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "payex/deadletters")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return admin.ListAsync(request.Query, request.HttpContext.RequestAborted);
    }
}
