using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace PayExCallbackFunctions.Processing;

/// <summary>The queue-triggered function as the Functions host invokes a custom handler: POST /{FunctionName}.</summary>
public static class ProcessEndpoints
{
    public const string FunctionName = "ProcessPayExCallback";

    /// <summary>The queue trigger's binding name in ProcessPayExCallback/function.json.</summary>
    public const string BindingName = "message";

    public static IEndpointRouteBuilder MapProcessInvocations(this IEndpointRouteBuilder app)
    {
        app.MapPost($"/{FunctionName}", ProcessAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<JsonHttpResult<InvocationResponse>> ProcessAsync(
        InvocationRequest invocation,
        CallbackProcessor processor,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(FunctionName);
        var response = new InvocationResponse();
        try
        {
            if (!invocation.Data.TryGetValue(BindingName, out var message))
            {
                throw new InvalidCallbackMessageException($"The invocation carries no '{BindingName}' binding.");
            }

            var envelope = CallbackMessage.Read(message);
            var result = await processor.ProcessAsync(envelope, cancellationToken);
            response.Logs.Add($"Stored {string.Join(", ", result.RowKeys)} in partition {result.Partition} for callback {envelope.Id}.");
            return TypedResults.Json(response, AppJson.Context.InvocationResponse);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A non-2xx answer fails the invocation: the host makes the message visible again and
            // moves it to the poison queue after maxDequeueCount attempts.
            logger.LogWarning(e, "Processing a callback failed (dequeue count {DequeueCount})", DequeueCount(invocation));
            response.Logs.Add($"Processing failed: {e.Message}");
            return TypedResults.Json(response, AppJson.Context.InvocationResponse, statusCode: StatusCodes.Status500InternalServerError);
        }
    }

    private static long? DequeueCount(InvocationRequest invocation) =>
        invocation.Metadata.TryGetValue("DequeueCount", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt64() : null;
}
