using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Telemetry;
using PayExCallbackFunctions.Tracking;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// What the status page shows, gathered at one moment. A part storage could not give is null, so
/// that the page says so and shows the rest, rather than failing as a whole.
/// </summary>
public sealed record StatusSnapshot(
    DateTimeOffset At,
    string CallbackQueue,
    string PoisonQueue,
    QueueBacklogReading? Backlog,
    IReadOnlyList<RecentCallback> Recent,
    LagSummary? Lag,
    IReadOnlyList<DeadLetter>? DeadLetters,
    bool MoreDeadLetters,
    RejectedCount? Rejected = null,
    IReadOnlyList<ShownPayment>? Payments = null,
    OrderReferenceSearch? Search = null,
    FoundPayments? Found = null,
    TrackingReading? Tracking = null,
    Events.UndeliveredPage? Events = null)
{
    /// <summary>Dead letters the page lists; the admin API pages through the rest.</summary>
    public const int DeadLetterLimit = 50;

    public static async Task<StatusSnapshot> GatherAsync(
        QueueBacklog backlog, RecentCallbacks recent, DeadLetterTable deadLetters, RejectedToday rejected, StatusPayments payments, Events.UndeliveredEventAdmin events, OrderReferenceSearch? search, TimeProvider time, TimeSpan storageTimeout, CancellationToken cancellationToken)
    {
        // The storage reads at once, within one deadline: the page waits for the slowest, and not for a storage that hangs.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(storageTimeout);
        var reading = ReadBacklogAsync(backlog, deadline.Token, cancellationToken);
        var listed = ListDeadLettersAsync(deadLetters, deadline.Token, cancellationToken);
        var rejections = ReadRejectedAsync(rejected, deadline.Token, cancellationToken);
        var recentPayments = ReadAsync(payments.RecentAsync, deadline.Token, cancellationToken);
        var tracking = ReadAsync(payments.TrackingAsync, deadline.Token, cancellationToken);
        var deliveries = ReadAsync(events.ReadAsync, deadline.Token, cancellationToken);
        var found = search is null ? Task.FromResult<FoundPayments?>(null) : ReadAsync(t => payments.FindAsync(search, t), deadline.Token, cancellationToken);
        var callbacks = recent.Snapshot();
        var (items, more) = await listed;
        return new StatusSnapshot(
            time.GetUtcNow(),
            backlog.CallbackQueue,
            backlog.PoisonQueue,
            await reading,
            callbacks,
            LagSummary.Of(callbacks.Where(c => c.Lag is not null).Select(c => c.Lag!.Value)),
            items,
            more,
            await rejections,
            await recentPayments,
            search,
            await found,
            await tracking,
            await deliveries);
    }

    // A part of the page from storage, or null where storage did not answer in time.
    private static async Task<T?> ReadAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken deadline, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await read(deadline);
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return null;
        }
    }

    private static async Task<QueueBacklogReading?> ReadBacklogAsync(QueueBacklog backlog, CancellationToken deadline, CancellationToken cancellationToken)
    {
        try
        {
            return await backlog.ReadAsync(deadline);
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return null;
        }
    }

    private static async Task<RejectedCount?> ReadRejectedAsync(RejectedToday rejected, CancellationToken deadline, CancellationToken cancellationToken)
    {
        try
        {
            return await rejected.ReadAsync(deadline);
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return null;
        }
    }

    private static async Task<(IReadOnlyList<DeadLetter>? Items, bool More)> ListDeadLettersAsync(DeadLetterTable deadLetters, CancellationToken deadline, CancellationToken cancellationToken)
    {
        try
        {
            var (items, continuation) = await deadLetters.ListAsync(DeadLetterLimit, null, deadline);
            return (items, continuation is not null);
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return (null, false);
        }
    }
}

/// <summary>Lag (receipt to state stored) of the recent processed callbacks, by nearest rank: each figure is one a callback actually had.</summary>
public sealed record LagSummary(int Count, TimeSpan P50, TimeSpan P95, TimeSpan Max)
{
    public static LagSummary? Of(IEnumerable<TimeSpan> lags)
    {
        var sorted = lags.Order().ToArray();
        return sorted.Length == 0 ? null : new LagSummary(sorted.Length, Percentile(sorted, 50), Percentile(sorted, 95), sorted[^1]);
    }

    private static TimeSpan Percentile(TimeSpan[] sorted, int percent) =>
        sorted[Math.Max(0, ((percent * sorted.Length) + 99) / 100 - 1)];
}
