using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.Events;

namespace PayExCallbackFunctions.Functions;

/// <summary>Sends an undelivered event to its sink again, and on the retry schedule if it fails (master key).</summary>
public sealed class ReplayPayExUndeliveredEvent(UndeliveredEventAdmin admin)
{
    [Function(nameof(ReplayPayExUndeliveredEvent))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "payex/events/undelivered/{id}/replay")] HttpRequest request,
        string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return admin.ReplayAsync(id, request.HttpContext.RequestAborted);
    }
}
