using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.Callbacks;

namespace PayExCallbackFunctions.Functions;

/// <summary>PayEx's callback, after the host checked the function key: acknowledged once it is on the queue.</summary>
public sealed class PayExCallback(AcknowledgeCallback acknowledge)
{
    [Function(nameof(PayExCallback))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "payex/callbacks")] HttpRequest request,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return acknowledge.RunAsync(request, context.InvocationId, request.HttpContext.RequestAborted);
    }
}
