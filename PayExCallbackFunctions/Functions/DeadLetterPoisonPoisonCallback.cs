using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Processing;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Functions;

/// <summary>
/// What the host moved on from the poison queue (its handler died on its last tries, or storage failed there)
/// becomes a dead letter too, rather than wait in a queue nothing else reads.
/// </summary>
public sealed class DeadLetterPoisonPoisonCallback(PoisonedCallbacks poisoned)
{
    [Function(nameof(DeadLetterPoisonPoisonCallback))]
    public Task RunAsync(
        [QueueTrigger($"%{StorageOptions.CallbackQueueSetting}%{StorageOptions.PoisonSuffix}{StorageOptions.PoisonSuffix}")] QueueMessage message,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(context);
        return poisoned.DeadLetterAsync(
            DeliveredMessage.Of(message, context),
            context.CancellationToken);
    }
}
