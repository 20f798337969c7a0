using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Hosting;

namespace PayExCallbackFunctions.Processing;

/// <summary>The queue-triggered functions as the Functions host invokes a custom handler: POST /{FunctionName}.</summary>
public static class ProcessEndpoints
{
    public const string FunctionName = "ProcessPayExCallback";

    /// <summary>The poison queue's function: what the trigger gave up on becomes a dead letter.</summary>
    public const string PoisonFunctionName = "DeadLetterPoisonCallback";

    /// <summary>The queue trigger's binding name in both function.json files.</summary>
    public const string BindingName = "message";

    public static IEndpointRouteBuilder MapProcessInvocations(this IEndpointRouteBuilder app)
    {
        app.MapPost($"/{FunctionName}", (InvocationRequest invocation, HttpContext context, CallbackAttempt attempt, ILoggerFactory loggers, CancellationToken cancellationToken) =>
            InvokeAsync(invocation, FunctionName, loggers, async (message, id, dequeueCount) =>
                $"Callback {await attempt.RunAsync(message, id, dequeueCount, cancellationToken, FunctionsInvocation.IdOf(context.Request), Activity.Current?.Context ?? default)}.", cancellationToken))
            .ExcludeFromDescription();
        app.MapPost($"/{PoisonFunctionName}", (InvocationRequest invocation, HttpContext context, PoisonedCallbacks poisoned, ILoggerFactory loggers, CancellationToken cancellationToken) =>
            InvokeAsync(invocation, PoisonFunctionName, loggers, async (message, id, dequeueCount) =>
            {
                await poisoned.DeadLetterAsync(message, id, dequeueCount, cancellationToken, FunctionsInvocation.IdOf(context.Request), Activity.Current?.Context ?? default);
                return "Dead-lettered.";
            }, cancellationToken))
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<JsonHttpResult<InvocationResponse>> InvokeAsync(
        InvocationRequest invocation,
        string functionName,
        ILoggerFactory loggers,
        Func<string, string, long, Task<string>> run,
        CancellationToken cancellationToken)
    {
        var response = new InvocationResponse();
        var dequeueCount = DequeueCount(invocation);
        try
        {
            if (!invocation.Data.TryGetValue(BindingName, out var message))
            {
                throw new InvalidOperationException($"The invocation carries no '{BindingName}' binding.");
            }

            // The host hands the message over as a JSON string, or as the object it parsed it into.
            var text = message.ValueKind == JsonValueKind.String ? message.GetString()! : message.GetRawText();
            response.Logs.Add(await run(text, MessageId(invocation), dequeueCount));
            return TypedResults.Json(response, AppJson.Context.InvocationResponse);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A non-2xx answer fails the invocation: the host makes the message visible again and
            // moves it to the poison queue after maxDequeueCount attempts.
            loggers.CreateLogger(functionName).LogWarning(e, "{Function} failed (dequeue count {DequeueCount})", functionName, dequeueCount);
            response.Logs.Add($"Failed: {e.Message}");
            return TypedResults.Json(response, AppJson.Context.InvocationResponse, statusCode: StatusCodes.Status500InternalServerError);
        }
    }

    private static long DequeueCount(InvocationRequest invocation) =>
        invocation.Metadata.TryGetValue("DequeueCount", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt64()
        : invocation.Metadata.TryGetValue("DequeueCount", out count) && count.ValueKind == JsonValueKind.String && long.TryParse(count.GetString(), out var parsed) ? parsed
        : 1;

    private static string MessageId(InvocationRequest invocation) =>
        invocation.Metadata.TryGetValue("Id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : Guid.NewGuid().ToString("D");
}
