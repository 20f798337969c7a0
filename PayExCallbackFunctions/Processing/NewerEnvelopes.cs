using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Hosting;
using PayExCallbackFunctions.Retry;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Processing;

/// <summary>
/// A callback envelope of a newer version than this build reads: during a deploy old and new instances share the
/// queue, and such a message is an instance of the newer build's to process. It goes back on the queue unchanged (this
/// build cannot rewrite what it does not fully know), hidden for the retry schedule's delay after this delivery: the
/// message's visibility is updated, which the host then finds taken over and leaves alone, so that its delivery count
/// counts the tries. After as many deliveries as the host's <c>maxDequeueCount</c> or <c>Retry__MaxAttempts</c> allow,
/// whichever is fewer, no instance read it: it becomes a dead letter (Exhausted), kept as it came, to be replayed once
/// a build that reads it runs.
/// </summary>
public sealed partial class NewerEnvelopes(
    QueueServiceClient queues,
    RetrySchedule schedule,
    DeadLetterTable deadLetters,
    IOptions<StorageOptions> storage,
    IOptions<QueuesOptions> queueOptions,
    TimeProvider time,
    ILogger<NewerEnvelopes> logger)
{
    private readonly QueueClient _queue = queues.GetQueueClient(storage.Value.CallbackQueue);

    /// <summary>Deliveries in all, this build's included, before the message is dead-lettered.</summary>
    public int MaxDeliveries => Math.Min(queueOptions.Value.MaxDequeueCount, schedule.MaxAttempts);

    public async Task<ProcessOutcome> PutBackAsync(DeliveredMessage delivered, NewerCallbackEnvelopeException newer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivered);
        ArgumentNullException.ThrowIfNull(newer);
        var delivery = (int)Math.Min(delivered.DequeueCount, int.MaxValue);
        var delay = delivery < MaxDeliveries && delivered.PopReceipt is not null
            ? schedule.DelayAfter(delivery, null, Random.Shared.NextDouble())
            : null;
        if (delay is null)
        {
            var reason = $"{newer.Message} No instance of a build that reads it took it in {delivery} deliveries: replay it once one runs.";
            await deadLetters.AddAsync(DeadLetter.OfNewerVersion(delivered, DeadLetterOrigin.Exhausted, reason, time.GetUtcNow()), cancellationToken);
            LogDeadLettered(logger, delivered.MessageId, newer.Version, delivery);
            return ProcessOutcome.DeadLettered;
        }

        try
        {
            await _queue.UpdateMessageAsync(delivered.MessageId, delivered.PopReceipt, visibilityTimeout: delay.Value, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.ErrorCode == QueueErrorCode.PopReceiptMismatch || e.ErrorCode == QueueErrorCode.MessageNotFound)
        {
            // Its lease ended and another instance has it, or it is gone: not this one's to put back.
            return ProcessOutcome.Retried;
        }

        LogPutBack(logger, delivered.MessageId, newer.Version, CallbackEnvelopeVersions, delay.Value, delivery, MaxDeliveries);
        return ProcessOutcome.Retried;
    }

    private static string CallbackEnvelopeVersions => $"1 to {Callbacks.CallbackEnvelope.CurrentVersion}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue message {MessageId} is a callback envelope of version {Version}, newer than this build reads ({Versions}): put back for {Delay}, for an instance of the newer build (delivery {Delivery} of {MaxDeliveries})")]
    private static partial void LogPutBack(ILogger logger, string messageId, int version, string versions, TimeSpan delay, int delivery, int maxDeliveries);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue message {MessageId} is a callback envelope of version {Version}, which no instance read in {Deliveries} deliveries: dead-lettered as it came, to be replayed once a build that reads it runs")]
    private static partial void LogDeadLettered(ILogger logger, string messageId, int version, int deliveries);
}
