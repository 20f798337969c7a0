using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Retry;

namespace PayExCallbackFunctions.Processing;

/// <summary>
/// One delivery of a queued callback, the same under either host: process it, and on a failure
/// hand it to the retry path. Returning means the message may be completed; throwing leaves it to
/// the queue trigger's own retries and poison queue, which is kept for what was not foreseen.
/// </summary>
public sealed partial class CallbackAttempt(
    CallbackProcessor processor,
    RetryPath retry,
    DeadLetterTable deadLetters,
    TimeProvider time,
    ILogger<CallbackAttempt> logger)
{
    public async Task<ProcessOutcome> RunAsync(string message, string messageId, long dequeueCount, CancellationToken cancellationToken)
    {
        CallbackEnvelope envelope;
        try
        {
            envelope = CallbackMessage.Read(message);
        }
        catch (InvalidCallbackMessageException e)
        {
            // Nothing to retry: keep it as it came, for the operator.
            await deadLetters.AddAsync(DeadLetter.Unreadable(message, messageId, DeadLetterOrigin.Permanent, e.Message, dequeueCount, time.GetUtcNow()), cancellationToken);
            LogUnreadable(logger, e, messageId);
            return ProcessOutcome.DeadLettered;
        }

        try
        {
            await processor.ProcessAsync(envelope, cancellationToken);
            return ProcessOutcome.Processed;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && Failure.Of(e) is { } failure)
        {
            LogAttemptFailed(logger, e, envelope.Id, failure.Kind);
            return await retry.FailedAsync(envelope, failure, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue message {MessageId} is no callback envelope and was dead-lettered")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string messageId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Callback {CallbackId} failed ({Kind})")]
    private static partial void LogAttemptFailed(ILogger logger, Exception exception, string callbackId, FailureKind kind);
}
