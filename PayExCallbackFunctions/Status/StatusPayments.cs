using PayExCallbackFunctions.Payments;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// The payments the page shows, each from its status row: those that changed last, and those an order reference
/// finds. A list of keys (one query), then a point read per payment shown, all at once: the cost of what is shown.
/// </summary>
public sealed class StatusPayments(PaymentLookup lookup, RecentPayments recent, ReferenceIndex index, Tracking.TrackingCounts tracking)
{
    /// <summary>Payments the page lists, recent or found.</summary>
    public const int Shown = 20;

    /// <summary>Newest change first.</summary>
    public async Task<IReadOnlyList<ShownPayment>> RecentAsync(CancellationToken cancellationToken)
    {
        var keys = await recent.ListAsync(Shown, cancellationToken);
        var rows = await ReadAsync(keys, cancellationToken);
        return [.. rows.OfType<ShownPayment>().OrderByDescending(p => p.Row.ChangedAt)];
    }

    /// <summary>Reminders the page reads at most to count them: enough for a busy merchant, quick enough for a page.</summary>
    public const int TrackingLimit = 10_000;

    /// <summary>How tracking stands, and the payments whose tracking ended unsettled last.</summary>
    public Task<Tracking.TrackingReading> TrackingAsync(CancellationToken cancellationToken) => tracking.ReadAsync(TrackingLimit, Shown, cancellationToken);

    public async Task<FoundPayments> FindAsync(OrderReferenceSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        var keys = await index.FindAsync(PaymentReference.OrderReference(search.OrderReference), cancellationToken);
        // The index lists the oldest first: the newest are shown where there are more.
        var rows = await ReadAsync(keys.TakeLast(Shown), cancellationToken);
        var found = rows.OfType<ShownPayment>().OrderByDescending(p => p.Row.ChangedAt).ToArray();
        return new FoundPayments(search.OrderReference, found, keys.Count, rows.Count - found.Length);
    }

    // Point reads, the cheapest Table Storage has; a key without a status row (indexed, status not yet written) is null.
    private async Task<IReadOnlyList<ShownPayment?>> ReadAsync(IEnumerable<Guid> keys, CancellationToken cancellationToken)
    {
        var reads = keys.Select(async key => await lookup.StatusAsync(key, cancellationToken) is { } row ? new ShownPayment(key, row) : null);
        return await Task.WhenAll(reads);
    }
}

/// <summary>A payment as the page lists it: the key of its partition and its status row.</summary>
public sealed record ShownPayment(Guid Key, StatusRow Row);

/// <summary>
/// What a search by order reference found: the payments shown (newest change first), how many the index holds
/// under the reference, and how many of those shown have no status stored yet.
/// </summary>
public sealed record FoundPayments(string OrderReference, IReadOnlyList<ShownPayment> Payments, int Indexed, int WithoutStatus);
