using PayExCallbackFunctions.Payments;

namespace PayExCallbackFunctions.Tracking;

/// <summary>
/// How tracking stands, for the operator: checks scheduled (one per tracked payment), due, overdue, and payments whose
/// tracking ended without a final status. It reads every reminder (up to a limit), so it is for the status page and a
/// sampled gauge, never for the sweep.
/// </summary>
public sealed class TrackingCounts(ScheduledChecks checks, EndedTracking ended, TimeProvider time)
{
    /// <summary>Due this long and not checked: the sweep is not keeping up, or not running.</summary>
    public static readonly TimeSpan OverdueAfter = TimeSpan.FromMinutes(5);

    public async Task<TrackingReading> ReadAsync(int limit, int shownEnded, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var counts = checks.CountAsync(now, now - OverdueAfter, limit, cancellationToken);
        var endings = ended.ReadAsync(shownEnded, limit, cancellationToken);
        await Task.WhenAll(counts, endings);
        return new TrackingReading(now, counts.Result, endings.Result.Count, endings.Result.Latest);
    }
}

/// <summary>Tracking at <paramref name="At"/>: the checks scheduled, due and overdue; how many ended unsettled, and the latest of them.</summary>
public sealed record TrackingReading(DateTimeOffset At, ScheduledCheckCounts Checks, int EndedUnsettled, IReadOnlyList<EndedPayment> Ended);
