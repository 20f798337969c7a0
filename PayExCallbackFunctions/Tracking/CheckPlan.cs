using PayExCallbackFunctions.Payments;

namespace PayExCallbackFunctions.Tracking;

/// <summary>
/// What tracking does next with a payment, from its status row alone: check it at a time, or stop. Checks follow
/// <see cref="TrackingOptions.Schedule"/> from the later of the registration and the last change (a payment that
/// just moved is likely to move again soon); a read of the payment for any reason counts as a check, so a callback
/// pushes the next check out by the step it fell in. Tracking ends when the payment cannot change any more, when
/// it stayed pending past <see cref="TrackingOptions.MaxAgeDays"/>, or when it did not change for
/// <see cref="TrackingOptions.WatchDays"/>.
/// </summary>
public abstract record CheckPlan
{
    /// <summary>Statuses after which PayEx's documents leave the payment nothing to move on to by itself.</summary>
    public static bool IsFinal(string status) => status is PaymentStatus.Captured or PaymentStatus.PartiallyReversed or PaymentStatus.Reversed
        or PaymentStatus.Cancelled or PaymentStatus.Failed or PaymentStatus.Aborted;

    public static CheckPlan For(StatusRow row, TrackingOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(options);
        var snapshot = row.Snapshot;
        var since = row.Tracking.Since ?? row.CheckedAt;
        var lastChange = Later(since, row.ChangedAt ?? since);
        if (snapshot.Status is PaymentStatus.Cancelled or PaymentStatus.Reversed or PaymentStatus.Failed or PaymentStatus.Aborted)
        {
            return new Finish($"The payment is {snapshot.Status}: it cannot change any more.", Settled: true);
        }

        if (snapshot.Status == PaymentStatus.Pending || row.IsRegisteredOnly)
        {
            if (now >= since + options.MaxAge)
            {
                return new Finish($"The payment was still pending {TrackingOptions.Days(options.MaxAgeDays)} after tracking began.", Settled: false);
            }
        }
        else if (!CanChange(snapshot))
        {
            return new Finish($"The payment is {snapshot.Status} with nothing left to capture, cancel or reverse.", Settled: IsFinal(snapshot.Status));
        }
        else if (now >= lastChange + options.Watch)
        {
            return new Finish($"The payment, {snapshot.Status}, did not change for {TrackingOptions.Days(options.WatchDays)}.", Settled: IsFinal(snapshot.Status));
        }

        var (lastRead, step) = LastReadAndStep(row, lastChange, options.Delays);
        return new Check(lastRead + step, step);
    }

    /// <summary>The last read of the payment (a check, callback or refresh), and the delay of the schedule's step it fell in.</summary>
    private static (DateTimeOffset LastRead, TimeSpan Step) LastReadAndStep(StatusRow row, DateTimeOffset anchor, IReadOnlyList<TimeSpan> delays)
    {
        var lastRead = row.IsRegisteredOnly ? anchor : Later(row.CheckedAt, anchor);
        var point = anchor;
        var step = delays[^1];
        foreach (var delay in delays)
        {
            point += delay;
            if (point > lastRead)
            {
                step = delay;
                break;
            }
        }

        return (lastRead, step);
    }

    // PayEx omits a remaining amount that is zero; where a status implies one may remain, it is assumed to.
    private static bool CanChange(PaymentSnapshot s) =>
        (s.RemainingCaptureAmount ?? (s.Status is PaymentStatus.Authorized or PaymentStatus.PartiallyCaptured ? 1 : 0)) > 0
        || (s.RemainingCancellationAmount ?? 0) > 0
        || (s.RemainingReversalAmount ?? (s.CapturedAmount > s.ReversedAmount ? 1 : 0)) > 0;

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>Check the payment at <paramref name="At"/> (now or earlier: it is due); <paramref name="Step"/> apart from the last read.</summary>
    public sealed record Check(DateTimeOffset At, TimeSpan Step) : CheckPlan;

    /// <summary>Stop tracking: why, and whether the payment's status is a final one.</summary>
    public sealed record Finish(string Reason, bool Settled) : CheckPlan;
}
