using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Retry;

/// <summary>
/// Where a failed attempt goes: back on the callback queue, hidden until the schedule's next
/// attempt is due, or to the dead letters when it cannot succeed or no attempts are left. The
/// caller completes the message it came from only after this returned: a crash in between
/// duplicates the callback (harmless: processing is idempotent), never loses it.
/// </summary>
public sealed partial class RetryPath(
    CallbackQueue queue,
    RetrySchedule schedule,
    DeadLetterTable deadLetters,
    CallbackMetrics metrics,
    TimeProvider time,
    ILogger<RetryPath> logger)
{
    private const int MaxErrorChars = 300;

    public async Task<ProcessOutcome> FailedAsync(CallbackEnvelope envelope, Failure failure, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var previous = envelope.Retry ?? new RetryState();
        var attempt = envelope.Attempt;
        var error = new RetryError(attempt, now, failure.Kind, Shorten(failure.Reason));
        var state = previous with
        {
            Attempts = attempt,
            FirstFailedAt = previous.FirstFailedAt ?? now,
            Errors = [.. previous.Errors.TakeLast(RetryState.MaxErrors - 1), error],
        };

        var delay = failure.Kind == FailureKind.Transient ? schedule.DelayAfter(attempt, failure.RetryAfter, Random.Shared.NextDouble()) : null;
        if (delay is null)
        {
            var origin = failure.Kind == FailureKind.Permanent ? DeadLetterOrigin.Permanent : DeadLetterOrigin.Exhausted;
            var failed = envelope with { Retry = state with { NextAttemptAt = null } };
            await deadLetters.AddAsync(DeadLetter.From(failed, origin, failure.Reason, now), cancellationToken);
            if (attempt == 1)
            {
                LogDeadLetteredAtOnce(logger, envelope.Id, origin, attempt, failure.Reason, envelope.Payment ?? envelope.PaymentOrder);
            }
            else
            {
                LogDeadLettered(logger, envelope.Id, origin, attempt, failure.Reason, envelope.Payment ?? envelope.PaymentOrder);
            }

            return ProcessOutcome.DeadLettered;
        }

        state = state with { NextAttemptAt = now + delay.Value };
        await queue.EnqueueAsync(EncodeToFit(envelope, state), delay.Value, cancellationToken);
        LogRetrying(logger, envelope.Id, attempt, schedule.MaxAttempts, delay.Value, failure.Reason);
        metrics.RetryScheduled(failure.Kind);
        System.Diagnostics.Activity.Current?.AddEvent(new("Retry scheduled", tags: new() { ["retry.delay_s"] = delay.Value.TotalSeconds, [TelemetryTags.CallbackAttempt] = attempt + 1 }));
        return ProcessOutcome.Retried;
    }

    // A callback near the size limit keeps fewer errors rather than none of its attempts.
    private static BinaryData EncodeToFit(CallbackEnvelope envelope, RetryState state)
    {
        while (true)
        {
            var message = CallbackQueue.Encode(envelope with { Retry = state });
            if (message.ToMemory().Length <= CallbackQueue.MaxMessageBytes || state.Errors.Count == 0)
            {
                return message;
            }

            state = state with { Errors = state.Errors.Skip(1).ToArray() };
        }
    }

    private static string Shorten(string reason) =>
        reason.Length <= MaxErrorChars ? reason : string.Concat(reason.AsSpan(0, MaxErrorChars - 1), "…");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Callback {CallbackId} failed (attempt {Attempt} of {MaxAttempts}); next attempt in {Delay}: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string callbackId, int attempt, int maxAttempts, TimeSpan delay, string reason);

    // One template per grammatical number, the same properties in both: "after 1 attempt", "after 3 attempts".
    [LoggerMessage(Level = LogLevel.Error, Message = "Callback {CallbackId} was dead-lettered ({Origin}) after {Attempts} attempt, for {Resource}: {Reason}")]
    private static partial void LogDeadLetteredAtOnce(ILogger logger, string callbackId, DeadLetterOrigin origin, int attempts, string reason, string? resource);

    [LoggerMessage(Level = LogLevel.Error, Message = "Callback {CallbackId} was dead-lettered ({Origin}) after {Attempts} attempts, for {Resource}: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string callbackId, DeadLetterOrigin origin, int attempts, string reason, string? resource);
}

/// <summary>How one delivery of a queued callback ended; each completes the message.</summary>
public enum ProcessOutcome
{
    Processed,
    Retried,
    DeadLettered,
}
