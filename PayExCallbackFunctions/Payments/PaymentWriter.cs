using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Events;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Payments;

/// <summary>
/// Writes what PayEx answered into the payment's partition of the payments table, as a whole: the resource
/// rows and the status derived from the same answer in one entity group transaction, guarded by the status
/// row's ETag, so the two never disagree and concurrent writers take turns. Newest wins: a resource row is only
/// replaced by a resource PayEx updated later, the status only by a newer answer, and its version grows by one
/// at each change. On a conflict the partition is read again. A payment without a status row (seen for the first
/// time) is inserted blind: its index, then its rows in one transaction that fails if any of them exists after all.
/// A status row this instance wrote or read last is remembered with its ETag (<see cref="KnownStatuses"/>) and stands for the read.
/// An update may start tracking the payment (<see cref="PaymentUpdate.FirstCheckAfter"/>): its first check is
/// scheduled before the transaction that marks it tracked, as the index is written before the status.
/// </summary>
public sealed class PaymentWriter(TableServiceClient tables, ReferenceIndex index, ScheduledChecks checks, PendingEvents pendingEvents, EventSinks sinks, RecentPayments recent, IOptions<StorageOptions> options, TimeProvider time) : IDisposable
{
    /// <summary>Reads and conditional writes before giving up on a partition that others keep changing.</summary>
    public const int MaxRounds = 10;

    private static readonly string[] CompareColumns = ["RowKey", "Updated"];

    private readonly TableClient _table = tables.GetTableClient(options.Value.PaymentsTable);

    private readonly KnownStatuses _known = new();

    public void Dispose() => _known.Dispose();

    public async Task<WriteResult> WriteAsync(PaymentUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        var partitionKey = update.Key.ToString("D");
        using var activity = CallbackTracing.StartStore(partitionKey);
        try
        {
            var result = await WriteRoundsAsync(partitionKey, update, cancellationToken);
            activity?.SetTag(TelemetryTags.RowsWritten, result.Written.Count).SetTag(TelemetryTags.RowsKept, result.Kept.Count);
            return result;
        }
        catch (Exception e)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }

    private async Task<WriteResult> WriteRoundsAsync(string partitionKey, PaymentUpdate update, CancellationToken cancellationToken)
    {
        // The references this call has written to the index (and whether it scheduled a first check): a later round need not again.
        var indexed = new HashSet<string>(StringComparer.Ordinal);
        StoredStatus? statusRead = null;
        if (update.Snapshot is not null)
        {
            // Most callbacks are a payment's first: the status row alone says whether the rows need reading at all.
            statusRead = _known.Find(partitionKey) is { } known ? StoredStatus.Of(known) : await ReadStatusAsync(partitionKey, cancellationToken);
            if (statusRead is null && await TryInsertAsync(partitionKey, update, indexed, cancellationToken) is { } inserted)
            {
                return inserted;
            }
        }

        for (var round = 1; round <= MaxRounds; round++)
        {
            // The rows the status row lists stand for the rows in the first round; after a conflict, the rows themselves are read.
            var (status, rows) = round == 1 && statusRead is { } read
                ? (read, read.Listed ?? await ReadRowsAsync(partitionKey, update.Resources, cancellationToken))
                : await ReadAsync(partitionKey, update.Resources, cancellationToken);
            var stored = status?.Row;
            var now = time.GetUtcNow();
            var actions = new List<TableTransactionAction>(update.Resources.Count + 1);
            var kept = new List<string>();
            foreach (var resource in update.Resources)
            {
                var row = PaymentRow.From(partitionKey, resource, now, update.Source);
                if (!rows.TryGetValue(resource.RowKey, out var current))
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, row));
                }
                else if (PaymentRow.IsNewer(resource, current))
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, current.ETag));
                }
                else
                {
                    kept.Add(resource.RowKey);
                }
            }

            var next = Next(stored, update, now);
            var tracking = await TrackAsync(update, stored, now, indexed, cancellationToken);
            if (next is not null)
            {
                next = await IndexAsync(update.Key, stored, next, indexed, cancellationToken);
                next = tracking is null ? next : next with { Tracking = tracking };
            }

            if (actions.Count == 0 && next is null && tracking is null)
            {
                if (!await TouchAsync(status, now, cancellationToken))
                {
                    // The status row is gone (removed by hand since it was read, or since this instance wrote it): decide again.
                    continue;
                }

                return new WriteResult([], kept, null, stored is null ? null : stored with { CheckedAt = now });
            }

            var listed = List(status?.Listed, rows, update.Resources.Where(r => actions.Any(a => a.Entity.RowKey == r.RowKey)));
            TableEntity? statusWritten;
            if (next is not null)
            {
                statusWritten = next.ToEntity(partitionKey);
                statusWritten[ListedRows.Column] = listed;
                actions.Add(stored is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, statusWritten)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, statusWritten, stored.ETag));
            }
            else if (status is not null)
            {
                // The status stays, but it guards the write all the same: nobody changed the partition since it was read.
                var touch = Touch(partitionKey, now);
                touch[ListedRows.Column] = listed;
                tracking?.WriteTo(touch);
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, touch, status.Row.ETag));
                statusWritten = new TableEntity(status.Entity) { ["CheckedAt"] = now, [ListedRows.Column] = listed };
                tracking?.WriteTo(statusWritten);
            }
            else
            {
                statusWritten = null;
            }

            var changed = next is not null && (stored is null || next.Version != stored.Version);
            var change = changed ? new StatusChange(stored is { IsRegisteredOnly: false } ? stored.Snapshot.Status : null, next!) : null;
            var statusIndex = actions.Count - 1;
            ETag? mark = null;
            if (change is not null)
            {
                // The outbox: the change's event commits with the change, or neither does. The relay's mark goes first,
                // after the status ETag this commit is guarded by was read or remembered, so in every round (why: PendingEvents).
                mark = await pendingEvents.MarkAsync(update.Key, cancellationToken);
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, Event(partitionKey, update, change, now)));
            }

            try
            {
                var response = await _table.SubmitTransactionAsync(actions, cancellationToken);
                if (statusWritten is not null)
                {
                    _known.Remember(statusWritten, response.Value[statusIndex].Headers.ETag ?? default);
                }
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 || (e.Status == 404 && e.ErrorCode != TableErrorCode.TableNotFound))
            {
                // 404: a row the status row listed is not there (a list must never be trusted more than the rows).
                // Another writer changed the partition since it was read: read it again and decide again.
                _known.Forget(partitionKey);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * round)), time, cancellationToken);
                continue;
            }
            catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
            {
                // Deleted since (a point read finds no row in a missing table, it does not fail).
                _known.Forget(partitionKey);
                await _table.CreateIfNotExistsAsync(cancellationToken);
                continue;
            }

            var written = actions.Select(a => a.Entity.RowKey).Where(k => k != StatusRow.RowKey && !k.StartsWith(EventRow.Prefix, StringComparison.Ordinal)).ToArray();
            if (changed)
            {
                // After the commit, outside it, best effort: a display list, not part of the payment's state.
                recent.Record(update.Key, stored?.ChangedAt, next!.ChangedAt ?? now);
            }

            var after = next ?? (stored is null ? null : stored with { CheckedAt = now, Tracking = tracking ?? stored.Tracking });
            return new WriteResult(written, kept, change, after) { EventsMark = mark };
        }

        throw new PaymentStateConflictException($"Rows of partition {partitionKey} kept changing during {MaxRounds} attempts to write them.");
    }

    /// <summary>The status row to write, or null to keep the stored one (the answer is not newer).</summary>
    private static StatusRow? Next(StatusRow? stored, PaymentUpdate update, DateTimeOffset now)
    {
        if (update.Snapshot is not { } snapshot)
        {
            return null;
        }

        if (stored is null)
        {
            return new StatusRow(snapshot, 1, now) { Api = update.Api, ChangedAt = now };
        }

        if (stored.IsRegisteredOnly)
        {
            // Registered, never read: the first answer is the first version; what the registration said is kept where PayEx is silent.
            return new StatusRow(snapshot with { OrderReference = snapshot.OrderReference ?? stored.Snapshot.OrderReference }, 1, now)
            {
                Api = update.Api,
                ChangedAt = now,
                Indexed = stored.Indexed,
                Tracking = stored.Tracking,
            };
        }

        if (!snapshot.IsNewerThan(stored.Snapshot))
        {
            return null;
        }

        var changed = snapshot.DiffersFrom(stored.Snapshot);
        // A reference PayEx showed once stays known, even where a later answer leaves it out (a sub-resource not expanded).
        var merged = snapshot with
        {
            OrderReference = snapshot.OrderReference ?? stored.Snapshot.OrderReference,
            PayeeReference = snapshot.PayeeReference ?? stored.Snapshot.PayeeReference,
            PaymentOrder = snapshot.PaymentOrder ?? stored.Snapshot.PaymentOrder,
            Payment = snapshot.Payment ?? stored.Snapshot.Payment,
            Number = snapshot.Number ?? stored.Snapshot.Number,
            Instrument = snapshot.Instrument ?? stored.Snapshot.Instrument,
        };
        return new StatusRow(merged, changed ? stored.Version + 1 : stored.Version, now)
        {
            Api = update.Api,
            ChangedAt = changed ? now : stored.ChangedAt,
            Indexed = stored.Indexed,
            Tracking = stored.Tracking,
        };
    }

    /// <summary>
    /// A payment not stored yet: the index, then the resource rows and the status (version 1) added in one transaction,
    /// without reading them first. Null if any row exists after all (a concurrent writer, or rows stored before the status
    /// existed): then they are read and compared.
    /// </summary>
    private async Task<WriteResult?> TryInsertAsync(string partitionKey, PaymentUpdate update, HashSet<string> indexed, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var tracking = TrackAsync(update, null, now, indexed, cancellationToken);
        var marked = pendingEvents.MarkAsync(update.Key, cancellationToken);
        var indexing = IndexAsync(update.Key, null, Next(null, update, now)!, indexed, cancellationToken);
        // All three awaited, so that one failing leaves no other's failure unobserved.
        await Task.WhenAll(tracking, marked, indexing);
        var mark = await marked;
        var status = await indexing;
        if (await tracking is { } started)
        {
            status = status with { Tracking = started };
        }

        var entity = status.ToEntity(partitionKey);
        entity[ListedRows.Column] = List(null, [], update.Resources);
        var change = new StatusChange(null, status);
        var actions = update.Resources
            .Select(r => new TableTransactionAction(TableTransactionActionType.Add, PaymentRow.From(partitionKey, r, now, update.Source)))
            .Append(new TableTransactionAction(TableTransactionActionType.Add, entity))
            .Append(new TableTransactionAction(TableTransactionActionType.Add, Event(partitionKey, update, change, now)))
            .ToList();
        try
        {
            var response = await _table.SubmitTransactionAsync(actions, cancellationToken);
            _known.Remember(entity, response.Value[^2].Headers.ETag ?? default);
        }
        catch (RequestFailedException e) when (e.Status == 409 && e.ErrorCode != TableErrorCode.TableBeingDeleted)
        {
            return null;
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            await _table.CreateIfNotExistsAsync(cancellationToken);
            return null;
        }

        recent.Record(update.Key, null, status.ChangedAt ?? now);
        return new WriteResult(update.Resources.Select(r => r.RowKey).ToArray(), [], change, status) { EventsMark = mark };
    }

    // Pending for each sink configured now.
    private TableEntity Event(string partitionKey, PaymentUpdate update, StatusChange change, DateTimeOffset now) =>
        EventRow.For(partitionKey, change.Row.Version, PaymentEvent.TypePrefix + change.Row.Snapshot.Status, PaymentEvent.Document(update.Key, change, update.DetectedBy, now), now, sinks.All.Select(s => s.Key));

    /// <summary>
    /// Registers a payment not stored yet for tracking: its references indexed and its first check scheduled, then a
    /// status row of version 0 (never read from PayEx) added. Null if the payment has a status row already.
    /// </summary>
    public async Task<StatusRow?> RegisterAsync(Guid key, PaymentSnapshot snapshot, string api, DateTimeOffset firstCheckAt, bool hasRows, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var partitionKey = key.ToString("D");
        var scheduled = checks.AddAsync(key, firstCheckAt, cancellationToken);
        var row = await IndexAsync(key, null, new StatusRow(snapshot, 0, now) { Api = api, Tracking = PaymentTracking.StartedAt(now) }, [], cancellationToken);
        await scheduled;
        var entity = row.ToEntity(partitionKey);
        if (!hasRows)
        {
            // Nothing stored of it yet: its first read need not look for rows.
            entity[ListedRows.Column] = ListedRows.Write(new Dictionary<string, DateTimeOffset?>());
        }

        try
        {
            var response = await _table.AddEntityAsync(entity, cancellationToken);
            _known.Remember(entity, response.Headers.ETag ?? default);
            return row with { ETag = response.Headers.ETag ?? default };
        }
        catch (RequestFailedException e) when (e.Status == 409 && e.ErrorCode != TableErrorCode.TableBeingDeleted)
        {
            return null;
        }
    }

    /// <summary>
    /// The payment's status row as stored now (null if none), remembered with its ETag: a write of the payment that
    /// follows (a check's) starts from it instead of reading it again.
    /// </summary>
    public async Task<StatusRow?> ReadStatusAsync(Guid key, CancellationToken cancellationToken)
    {
        var partitionKey = key.ToString("D");
        if (await ReadStatusAsync(partitionKey, cancellationToken) is not { } status)
        {
            return null;
        }

        _known.Remember(status.Entity, status.Entity.ETag);
        return status.Row;
    }

    /// <summary>
    /// Writes the payment's tracking (begun again, or ended) and nothing else of its status row, if the row is still
    /// as read (<paramref name="etag"/>). False if it changed since: read it again and decide again.
    /// </summary>
    public async Task<bool> SetTrackingAsync(Guid key, PaymentTracking tracking, ETag etag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracking);
        var partitionKey = key.ToString("D");
        var entity = new TableEntity(partitionKey, StatusRow.RowKey);
        tracking.WriteTo(entity);
        _known.Forget(partitionKey);
        try
        {
            await _table.UpdateEntityAsync(entity, etag, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }

    /// <summary>
    /// The tracking to write if this update starts it (the payment is not tracked and the update asks), having scheduled
    /// its first check; null to leave it as stored. The check is scheduled once per call, however many rounds it takes.
    /// </summary>
    private async Task<PaymentTracking?> TrackAsync(PaymentUpdate update, StatusRow? stored, DateTimeOffset now, HashSet<string> scheduled, CancellationToken cancellationToken)
    {
        // Tracked by its status row: without a status there is nothing to track.
        if (update.FirstCheckAfter is not { } delay || update.Snapshot is null || stored?.Tracking.BegunByCallback == false)
        {
            return null;
        }

        if (scheduled.Add(FirstCheckScheduled))
        {
            await checks.AddAsync(update.Key, now + delay, cancellationToken);
        }

        return PaymentTracking.StartedAt(now);
    }

    // Kept with the references written: not references (those always hold a ':').
    private const string FirstCheckScheduled = "first check";

    // The index first: a lookup must never miss a payment whose status is stored.
    private async Task<StatusRow> IndexAsync(Guid key, StatusRow? stored, StatusRow next, HashSet<string> indexed, CancellationToken cancellationToken)
    {
        var known = stored?.Indexed ?? [];
        var references = PaymentReference.Of(next.Snapshot, key).Where(r => !known.Contains(r.Key, StringComparer.Ordinal)).ToArray();
        if (references.Length == 0)
        {
            return next;
        }

        var unwritten = references.Where(r => !indexed.Contains(r.Key)).ToArray();
        if (unwritten.Length > 0)
        {
            await index.AddAsync(key, unwritten, cancellationToken);
            indexed.UnionWith(unwritten.Select(r => r.Key));
        }

        return next with { Indexed = [.. known, .. references.Select(r => r.Key)] };
    }

    // A repeated answer changes nothing but when the payment was last read; lost to a concurrent writer, it does not matter.
    private async Task<bool> TouchAsync(StoredStatus? status, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (status is null)
        {
            return true;
        }

        var partitionKey = status.Entity.PartitionKey;
        try
        {
            var response = await _table.UpdateEntityAsync(Touch(partitionKey, now), status.Row.ETag, TableUpdateMode.Merge, cancellationToken);
            _known.Remember(new TableEntity(status.Entity) { ["CheckedAt"] = now }, response.Headers.ETag ?? default);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            // Written since: that writer's time is as good. Removed since: not.
            _known.Forget(partitionKey);
            return e.Status != 404;
        }
    }

    private static TableEntity Touch(string partitionKey, DateTimeOffset now) => new(partitionKey, StatusRow.RowKey) { ["CheckedAt"] = now };

    /// <summary>The rows the status row is to list: those it listed, those read, and those written now with the updated written.</summary>
    private static string List(Dictionary<string, TableEntity>? listed, Dictionary<string, TableEntity> read, IEnumerable<PayExResource> written)
    {
        var rows = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);
        foreach (var (rowKey, row) in (listed ?? []).Concat(read))
        {
            rows[rowKey] = row.GetDateTimeOffset("Updated");
        }

        foreach (var resource in written)
        {
            rows[resource.RowKey] = resource.Updated;
        }

        return ListedRows.Write(rows);
    }

    // Point reads, all at once: the cheapest lookup Table Storage has (a query for several row keys scans the
    // partition; on Azurite, the whole table). The status row's ETag, read with them, guards the write.
    private async Task<(StoredStatus? Status, Dictionary<string, TableEntity> Rows)> ReadAsync(string partitionKey, IReadOnlyList<PayExResource> resources, CancellationToken cancellationToken)
    {
        var status = ReadStatusAsync(partitionKey, cancellationToken);
        var rows = ReadRowsAsync(partitionKey, resources, cancellationToken);
        await Task.WhenAll(status, rows);
        return (status.Result, rows.Result);
    }

    private async Task<StoredStatus?> ReadStatusAsync(string partitionKey, CancellationToken cancellationToken) =>
        await _table.GetEntityIfExistsAsync<TableEntity>(partitionKey, StatusRow.RowKey, cancellationToken: cancellationToken) is { HasValue: true } status
            ? StoredStatus.Of(status.Value!)
            : null;

    /// <summary>The status row as read (the entity and its meaning), and the resource rows it lists (null if none).</summary>
    private sealed record StoredStatus(TableEntity Entity, StatusRow Row, Dictionary<string, TableEntity>? Listed)
    {
        public static StoredStatus Of(TableEntity entity) => new(entity, StatusRow.From(entity), ListedRows.Read(entity));
    }

    private async Task<Dictionary<string, TableEntity>> ReadRowsAsync(string partitionKey, IReadOnlyList<PayExResource> resources, CancellationToken cancellationToken)
    {
        var reads = resources.Select(r => _table.GetEntityIfExistsAsync<TableEntity>(partitionKey, r.RowKey, CompareColumns, cancellationToken)).ToArray();
        await Task.WhenAll(reads);
        return reads.Select(r => r.Result).Where(r => r.HasValue).ToDictionary(r => r.Value!.RowKey, r => r.Value!);
    }
}

/// <summary>What one answer from PayEx means for a payment's partition.</summary>
/// <param name="Key">The payment's partition: its payment order's id where it has one, else its own.</param>
/// <param name="Resources">The resources as PayEx answered them.</param>
/// <param name="Snapshot">The status derived from the same answer; null where it could not be derived.</param>
/// <param name="Api">How the payment is read again on a refresh (<see cref="PaymentApi"/>).</param>
/// <param name="Source">What led to the read: a callback's id, or a refresh.</param>
public sealed record PaymentUpdate(Guid Key, IReadOnlyList<PayExResource> Resources, PaymentSnapshot? Snapshot, string Api, string Source)
{
    /// <summary>Set: track the payment if it is not tracked (a callback named it), its first check this long after now.</summary>
    public TimeSpan? FirstCheckAfter { get; init; }

    /// <summary>What read the payment, for the event of a change: callback, check, refresh or replay.</summary>
    public string DetectedBy { get; init; } = "callback";
}

/// <summary>
/// What a write did: resource rows written, rows left alone as the stored ones were as new or newer, the status change
/// if any, and the status row as it is stored now (null where none could be derived or stored).
/// </summary>
public sealed record WriteResult(IReadOnlyList<string> Written, IReadOnlyList<string> Kept, StatusChange? Change, StatusRow? Status = null)
{
    /// <summary>With a change: the ETag of the events mark written for it, which the delivery after the commit may remove.</summary>
    public ETag? EventsMark { get; init; }
}

/// <summary>The status became a new version: from <paramref name="PreviousStatus"/> (null: first seen) to <paramref name="Row"/>.</summary>
public sealed record StatusChange(string? PreviousStatus, StatusRow Row);

/// <summary>Rows kept changing under a write; trying later will do.</summary>
public sealed class PaymentStateConflictException : Exception
{
    public PaymentStateConflictException() { }

    public PaymentStateConflictException(string message) : base(message) { }

    public PaymentStateConflictException(string message, Exception inner) : base(message, inner) { }
}
