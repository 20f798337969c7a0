using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.DeadLetters;

namespace PayExCallbackFunctions.Functions;

/// <summary>One dead letter: read it, with the message it came from, or discard it (master key).</summary>
public sealed class PayExDeadLetter(DeadLetterAdmin admin)
{
    [Function(nameof(PayExDeadLetter))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", "delete", Route = "payex/deadletters/{id}")] HttpRequest request,
        string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HttpMethods.IsDelete(request.Method)
            ? admin.DiscardAsync(id, Access.ClientAddress.Of(request.HttpContext)?.ToString(), request.HttpContext.RequestAborted)
            : admin.GetAsync(id, request.HttpContext.RequestAborted);
    }
}
