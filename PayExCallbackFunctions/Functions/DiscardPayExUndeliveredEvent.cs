using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.Events;

namespace PayExCallbackFunctions.Functions;

/// <summary>Removes an undelivered event from the list; its row keeps that it was never delivered (master key).</summary>
public sealed class DiscardPayExUndeliveredEvent(UndeliveredEventAdmin admin)
{
    [Function(nameof(DiscardPayExUndeliveredEvent))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "payex/events/undelivered/{id}")] HttpRequest request,
        string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return admin.DiscardAsync(id, request.HttpContext.RequestAborted);
    }
}
