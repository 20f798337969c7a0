using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.DeadLetters;

namespace PayExCallbackFunctions.Functions;

/// <summary>Puts one dead letter's callback back on the queue (master key).</summary>
public sealed class ReplayPayExDeadLetter(DeadLetterAdmin admin)
{
    [Function(nameof(ReplayPayExDeadLetter))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "payex/deadletters/{id}/replay")] HttpRequest request,
        string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return admin.ReplayAsync(id, request.HttpContext.RequestAborted);
    }
}
