using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.DeadLetters;

namespace PayExCallbackFunctions.Functions;

/// <summary>Puts the dead letters back on the queue, up to a thousand a call (master key).</summary>
public sealed class ReplayAllPayExDeadLetters(DeadLetterAdmin admin)
{
    [Function(nameof(ReplayAllPayExDeadLetters))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "payex/deadletters/replay")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return admin.ReplayAllAsync(request.HttpContext.RequestAborted);
    }
}
