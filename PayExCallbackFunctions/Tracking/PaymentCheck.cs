using System.Net;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Processing;
using PayExCallbackFunctions.Retry;

namespace PayExCallbackFunctions.Tracking;

/// <summary>
/// One scheduled check that came due: the payment's status row decides what it is (a check, a check pushed out by a
/// read since, or the end of tracking). A check is read as a callback is (<see cref="ReadAgain"/>), through the same
/// processor and writer; a failure goes to the same retry path and dead letters, and the next check is planned all
/// the same. PayEx answering 404 ends tracking: it does not know the payment.
/// </summary>
public sealed partial class PaymentCheck(
    PaymentWriter writer,
    ScheduledChecks checks,
    EndedTracking ended,
    CallbackProcessor processor,
    RetryPath retry,
    TrackingMetrics metrics,
    IOptions<TrackingOptions> options,
    TimeProvider time,
    ILogger<PaymentCheck> logger)
{
    /// <summary>A reminder this much before its plan is close enough: the sweep runs every few seconds, not to the millisecond.</summary>
    private static readonly TimeSpan Early = TimeSpan.FromSeconds(1);

    public async Task<CheckOutcome> RunAsync(ScheduledCheck reminder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        var now = time.GetUtcNow();
        // Read from storage (never a remembered row: another instance may have stopped it), and kept for the check's write.
        var status = await writer.ReadStatusAsync(reminder.Payment, cancellationToken);
        if (status is not { Tracking.IsTracked: true })
        {
            // Stopped, ended, or a reminder left over from a move: nothing to do.
            await checks.RemoveAsync(reminder, cancellationToken);
            return CheckOutcome.NotTracked;
        }

        switch (CheckPlan.For(status, options.Value, now))
        {
            case CheckPlan.Finish end:
                return await EndAsync(reminder, status, end.Reason, end.Settled, cancellationToken);
            case CheckPlan.Check plan when plan.At > now + Early:
                // Read since the reminder was set (a callback, a refresh): the check moves out.
                await checks.MoveAsync(reminder, plan.At, cancellationToken);
                return CheckOutcome.Postponed;
            case CheckPlan.Check plan:
                return await CheckAsync(reminder, status, plan.Step, cancellationToken);
            default:
                throw new InvalidOperationException("Unknown plan.");
        }
    }

    private async Task<CheckOutcome> CheckAsync(ScheduledCheck reminder, StatusRow status, TimeSpan step, CancellationToken cancellationToken)
    {
        var envelope = ReadAgain.Envelope(new StoredPayment(reminder.Payment, status), ReadOrigin.Check, time.GetUtcNow());
        ProcessResult result;
        try
        {
            result = await processor.ProcessAsync(envelope, cancellationToken);
        }
        catch (PayExRequestException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return await EndAsync(reminder, status, "PayEx answered 404: it does not know the payment.", settled: false, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && Failure.Of(e) is { } failure)
        {
            // The retry path tries this check again with its backoff; tracking plans the next one as if it had been made.
            LogCheckFailed(logger, e, reminder.Payment, failure.Kind);
            await retry.FailedAsync(envelope, failure, cancellationToken);
            await checks.MoveAsync(reminder, time.GetUtcNow() + step, cancellationToken);
            metrics.Checked(CheckOutcome.Failed);
            return CheckOutcome.Failed;
        }

        var after = result.Status ?? status;
        var outcome = result.Change is null ? CheckOutcome.Unchanged : CheckOutcome.Changed;
        switch (CheckPlan.For(after, options.Value, time.GetUtcNow()))
        {
            case CheckPlan.Finish end:
                await EndAsync(reminder, after, end.Reason, end.Settled, cancellationToken);
                break;
            case CheckPlan.Check next:
                await checks.MoveAsync(reminder, next.At, cancellationToken);
                break;
        }

        metrics.Checked(outcome);
        return outcome;
    }

    private async Task<CheckOutcome> EndAsync(ScheduledCheck reminder, StatusRow status, string reason, bool settled, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!await writer.SetTrackingAsync(reminder.Payment, status.Tracking.EndedBecause(reason, now), status.ETag, cancellationToken))
        {
            // Written since it was read: the reminder stays, and the next sweep decides again.
            return CheckOutcome.Postponed;
        }

        if (!settled)
        {
            await ended.AddAsync(reminder.Payment, status.Snapshot.Status, reason, now, cancellationToken);
        }

        await checks.RemoveAsync(reminder, cancellationToken);
        LogEnded(logger, reminder.Payment, status.Snapshot.Status, reason);
        metrics.TrackingEnded(settled);
        return CheckOutcome.Ended;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A scheduled check of payment {PaymentKey} failed ({Kind}); the retry path has it, and the next check is planned")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, Guid paymentKey, FailureKind kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tracking of payment {PaymentKey} ended, {PaymentStatus}: {Reason}")]
    private static partial void LogEnded(ILogger logger, Guid paymentKey, string paymentStatus, string reason);
}

/// <summary>What a due reminder came to.</summary>
public enum CheckOutcome
{
    /// <summary>Checked; the status did not change.</summary>
    Unchanged,

    /// <summary>Checked; the status changed.</summary>
    Changed,

    /// <summary>PayEx could not be asked; the retry path has it.</summary>
    Failed,

    /// <summary>Not due after all (read since), or its payment changed under the decision: planned again.</summary>
    Postponed,

    /// <summary>Tracking ended.</summary>
    Ended,

    /// <summary>The payment is not tracked (stopped, ended, or the reminder was left from a move).</summary>
    NotTracked,
}
