using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.Processing;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Functions;

/// <summary>
/// One delivery of a queued callback. Returning completes the message, also when the callback was
/// handed to the retry path or dead-lettered; throwing leaves it to the host's retries and poison queue.
/// </summary>
public sealed class ProcessPayExCallback(CallbackAttempt attempt)
{
    [Function(nameof(ProcessPayExCallback))]
    public Task RunAsync(
        [QueueTrigger($"%{StorageOptions.CallbackQueueSetting}%")] QueueMessage message,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(context);
        return attempt.RunAsync(
            DeliveredMessage.Of(message, context),
            context.CancellationToken);
    }
}
