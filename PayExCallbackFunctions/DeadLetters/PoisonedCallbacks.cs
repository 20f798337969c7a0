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
        catch (InvalidCallbackMessageException e)
        {
            deadLetter = DeadLetter.Unreadable(message, messageId, DeadLetterOrigin.Poison, $"{reason} {e.Message}", dequeueCount, now);
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
            // The trigger's last try: rather than let it move the message on to a poison queue of the
            // poison queue, which nothing reads, put it back here as a new message, to be tried later.
            await _poison.SendMessageAsync(Encode(message), RetryDelay, TimeToLive, cancellationToken);
            LogKeptInPoison(logger, e, deadLetter.Id, RetryDelay);
            return;
        }

        LogPoisoned(logger, deadLetter.Id, deadLetter.Payment ?? deadLetter.PaymentOrder);
    }

    private BinaryData Encode(string message) =>
        queueOptions.Value.IsBase64 ? new BinaryData(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(message))) : new BinaryData(message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Callback {CallbackId} reached the poison queue and was dead-lettered, for {Resource}")]
    private static partial void LogPoisoned(ILogger logger, string callbackId, string? resource);

    [LoggerMessage(Level = LogLevel.Error, Message = "Poisoned callback {CallbackId} could not be dead-lettered; it stays in the poison queue and is tried again in {Delay}")]
    private static partial void LogKeptInPoison(ILogger logger, Exception exception, string callbackId, TimeSpan delay);
}
