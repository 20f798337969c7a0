using System.Diagnostics;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Retry;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Processing;

/// <summary>
/// One delivery of a queued callback: process it, and on a failure hand it to the retry path.
/// Returning means the message may be completed; throwing leaves it to the queue trigger's own
/// retries and poison queue, which is kept for what was not foreseen.
/// </summary>
public sealed partial class CallbackAttempt(
    CallbackProcessor processor,
    RetryPath retry,
    NewerEnvelopes newerEnvelopes,
    DeadLetterTable deadLetters,
    CallbackMetrics metrics,
    RecentCallbacks recent,
    IOptions<StorageOptions> storage,
    TimeProvider time,
    ILogger<CallbackAttempt> logger)
{
    public async Task<ProcessOutcome> RunAsync(DeliveredMessage delivered, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivered);
        CallbackEnvelope? envelope = null;
        InvalidCallbackMessageException? unreadable = null;
        NewerCallbackEnvelopeException? newer = null;
        try
        {
            envelope = CallbackMessage.Read(delivered.Text);
        }
        catch (InvalidCallbackMessageException e)
        {
            unreadable = e;
        }
        catch (NewerCallbackEnvelopeException e)
        {
            newer = e;
        }

        using var activity = CallbackTracing.StartProcess(envelope, delivered.Invocation);
        activity?.SetTag(TelemetryTags.MessageId, delivered.MessageId)
            .SetTag(TelemetryTags.Destination, storage.Value.CallbackQueue)
            .SetTag(TelemetryTags.InvocationId, delivered.InvocationId);
        // The callback's numbers, only those it has (a v3.1 callback's is its attempt's: AttemptNumber).
        var properties = envelope is null ? new Dictionary<string, object?>(StringComparer.Ordinal) : CallbackSubject.Properties(envelope);
        properties["CallbackId"] = envelope?.Id;
        properties["MessageId"] = delivered.MessageId;
        properties["InvocationId"] = delivered.InvocationId;
        using var scope = logger.BeginScope(properties);

        ProcessOutcome outcome;
        try
        {
            outcome = envelope is not null ? await ProcessAsync(envelope, activity, cancellationToken)
                : newer is not null ? await newerEnvelopes.PutBackAsync(delivered, newer, cancellationToken)
                : await DeadLetterUnreadableAsync(delivered, unreadable!, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Storage failed under the retry path too: the queue trigger tries the message again.
            activity?.SetTag(TelemetryTags.CallbackOutcome, CallbackOutcomes.Failed).SetStatus(ActivityStatusCode.Error).AddException(e);
            metrics.CallbackProcessed(envelope?.Shape, CallbackOutcomes.Failed);
            throw;
        }

        activity?.SetTag(TelemetryTags.CallbackOutcome, CallbackOutcomes.Of(outcome));
        if (outcome != ProcessOutcome.Processed)
        {
            activity?.SetStatus(ActivityStatusCode.Error);
        }

        metrics.CallbackProcessed(envelope?.Shape, CallbackOutcomes.Of(outcome));
        return outcome;
    }

    private async Task<ProcessOutcome> ProcessAsync(CallbackEnvelope envelope, Activity? activity, CancellationToken cancellationToken)
    {
        var attempt = envelope.Attempt;
        try
        {
            await processor.ProcessAsync(envelope, cancellationToken);
            var lag = time.GetUtcNow() - envelope.ReceivedAt;
            activity?.SetTag(TelemetryTags.CallbackLagMs, (long)lag.TotalMilliseconds);
            metrics.Stored(envelope.Shape, lag);
            recent.Record(envelope.Id, envelope, CallbackOutcomes.Processed, lag: lag, traceId: activity?.TraceId.ToString(), processingAttempt: attempt);
            return ProcessOutcome.Processed;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && Failure.Of(e) is { } failure)
        {
            LogAttemptFailed(logger, e, envelope.Id, failure.Kind);
            activity?.SetTag(TelemetryTags.FailureKind, failure.Kind.ToString());
            activity?.AddException(e);
            var outcome = await retry.FailedAsync(envelope, failure, cancellationToken);
            recent.Record(envelope.Id, envelope, CallbackOutcomes.Of(outcome), failure.Reason, traceId: activity?.TraceId.ToString(), processingAttempt: attempt);
            return outcome;
        }
    }

    // Nothing to retry: keep it as it came, for the operator.
    private async Task<ProcessOutcome> DeadLetterUnreadableAsync(DeliveredMessage delivered, InvalidCallbackMessageException e, CancellationToken cancellationToken)
    {
        await deadLetters.AddAsync(DeadLetter.Unreadable(delivered, DeadLetterOrigin.Permanent, e.Message, time.GetUtcNow()), cancellationToken);
        LogUnreadable(logger, e, delivered.MessageId);
        return ProcessOutcome.DeadLettered;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue message {MessageId} is no callback envelope and was dead-lettered")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string messageId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Callback {CallbackId} failed ({Kind})")]
    private static partial void LogAttemptFailed(ILogger logger, Exception exception, string callbackId, FailureKind kind);
}
