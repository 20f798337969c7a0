using System.Diagnostics;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Hosting;
using PayExCallbackFunctions.Processing;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Telemetry;
using PayExCallbackFunctions.Callbacks;

namespace PayExCallbackFunctions.DeadLetters;

/// <summary>
/// Messages the queue trigger gave up on (crashes, bugs) reach the poison queue; from there they
/// become dead letters like any other, so an operator finds them in one place and can replay them.
/// </summary>
public sealed partial class PoisonedCallbacks(
    DeadLetterTable deadLetters,
    QueueServiceClient queues,
    IOptions<StorageOptions> storage,
    IOptions<QueuesOptions> queueOptions,
    TimeProvider time,
    ILogger<PoisonedCallbacks> logger)
{
    /// <summary>How long a poison message waits before it is tried again when its dead letter could not be written.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(1);

    // Never expire, as callback messages do not.
    private static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(-1);

    private readonly QueueClient _poison = queues.GetQueueClient(storage.Value.PoisonQueue);

    public async Task DeadLetterAsync(DeliveredMessage delivered, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivered);
        var (message, messageId, dequeueCount) = (delivered.Text, delivered.MessageId, delivered.DequeueCount);
        var now = time.GetUtcNow();
        const string reason = "The queue trigger gave up on the message after repeated failures it could not classify (a crash or a bug); see the app's logs.";
        DeadLetter deadLetter;
        CallbackEnvelope? envelope = null;
        try
        {
            envelope = CallbackMessage.Read(message);
            deadLetter = DeadLetter.From(envelope, DeadLetterOrigin.Poison, reason, now, message);
        }
        catch (NewerCallbackEnvelopeException e)
        {
            // Kept exactly, for a replay by a build that reads it.
            deadLetter = DeadLetter.OfNewerVersion(delivered, DeadLetterOrigin.Poison, $"{reason} {e.Message} Replay it once a build that reads it runs.", now);
        }
        catch (InvalidCallbackMessageException e)
        {
            // One that is not base64 was moved here at once by a host that decodes base64, not given up on.
            deadLetter = DeadLetter.Unreadable(delivered, DeadLetterOrigin.Poison, delivered.IsBase64 ? $"{reason} {e.Message}" : e.Message, now);
        }

        using var activity = CallbackTracing.StartPoison(envelope, delivered.Invocation);
        activity?.SetTag(TelemetryTags.MessageId, messageId)
            .SetTag(TelemetryTags.Destination, _poison.Name)
            .SetTag(TelemetryTags.InvocationId, delivered.InvocationId)
            .SetTag(TelemetryTags.DeadLetterOrigin, nameof(DeadLetterOrigin.Poison))
            .SetStatus(ActivityStatusCode.Error, reason);

        try
        {
            await deadLetters.AddAsync(deadLetter, cancellationToken);
        }
        catch (Exception e) when (dequeueCount >= queueOptions.Value.MaxDequeueCount && !cancellationToken.IsCancellationRequested)
        {
            // The trigger's last try. A poison queue has no poison queue of its own: the host would leave the message
            // hidden for its 10-minute lease and, its delivery count past maxDequeueCount, never hand it over again.
            // Put back as a new message (as it came), it is tried afresh later.
            await _poison.SendMessageAsync(BinaryData.FromString(delivered.Body), RetryDelay, TimeToLive, cancellationToken);
            LogKeptInPoison(logger, e, deadLetter.Id, RetryDelay);
            return;
        }

        LogPoisoned(logger, deadLetter.Id, deadLetter.Payment ?? deadLetter.PaymentOrder);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Callback {CallbackId} reached the poison queue and was dead-lettered, for {Resource}")]
    private static partial void LogPoisoned(ILogger logger, string callbackId, string? resource);

    [LoggerMessage(Level = LogLevel.Error, Message = "Poisoned callback {CallbackId} could not be dead-lettered; it stays in the poison queue and is tried again in {Delay}")]
    private static partial void LogKeptInPoison(ILogger logger, Exception exception, string callbackId, TimeSpan delay);
}
