using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.Events;

namespace PayExCallbackFunctions.Functions;

/// <summary>The sinks and the events they never took (master key).</summary>
public sealed class PayExUndeliveredEvents(UndeliveredEventAdmin admin)
{
    [Function(nameof(PayExUndeliveredEvents))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "payex/events/undelivered")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return admin.ListAsync(request.HttpContext.RequestAborted);
    }
}
