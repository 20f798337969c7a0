using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Processing;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Functions;

/// <summary>What the host's queue trigger gave up on (a crash, a bug) becomes a dead letter an operator can see and replay.</summary>
public sealed class DeadLetterPoisonCallback(PoisonedCallbacks poisoned)
{
    [Function(nameof(DeadLetterPoisonCallback))]
    public Task RunAsync(
        [QueueTrigger($"%{StorageOptions.CallbackQueueSetting}%{StorageOptions.PoisonSuffix}")] QueueMessage message,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(context);
        return poisoned.DeadLetterAsync(
            DeliveredMessage.Of(message, context),
            context.CancellationToken);
    }
}
