using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Payments;

/// <summary>
/// The payments whose status changed last, newest first, for the status page. Table Storage sorts by key only,
/// so each change is an entry whose row key starts with the time inverted: a query of the first entries reads the
/// newest, and the page pays for what it shows, however many payments there are. The entries are the partition
/// <see cref="PartitionKey"/> of the reference index's table (a reference's partition always holds a ':').
/// A change is noted in memory and written with the others of the same moment by <see cref="FlushAsync"/>: one
/// transaction for up to a hundred changes instead of two requests each, as a change of status is on the hot path
/// and this list is not part of it. A payment's entry replaces its previous one, and the list is cut to
/// <see cref="Kept"/> entries as it grows. Best effort: an entry lost (storage failing, the instance gone before its
/// flush) leaves the payment off the list until its next change, and its status is right all the same.
/// </summary>
public sealed partial class RecentPayments(TableServiceClient tables, IOptions<StorageOptions> options, ILogger<RecentPayments> logger) : IDisposable
{
    public const string PartitionKey = "recent";

    /// <summary>Entries left after a trim: far more than the page shows, few enough to read in one query.</summary>
    public const int Kept = 200;

    private const int MaxBatch = 100;

    /// <summary>Changes noted in memory over many flushes before written: beyond, the oldest noted are dropped.</summary>
    private const int MaxPending = 10_000;

    private static readonly string[] KeyColumn = ["RowKey"];

    private static readonly string Filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey}");

    private readonly TableClient _table = tables.GetTableClient(options.Value.PaymentReferencesTable);

    private readonly ConcurrentDictionary<Guid, Change> _pending = new();

    private readonly SemaphoreSlim _flushing = new(1, 1);

    /// <summary>Entries written since the last trim: the list is trimmed once it may hold <see cref="Kept"/> more.</summary>
    private int _sinceTrim;

    /// <summary>
    /// Notes that the payment changed at <paramref name="changedAt"/>, its change before at <paramref name="previous"/>
    /// (whose entry goes). Written at the next flush; never fails.
    /// </summary>
    public void Record(Guid payment, DateTimeOffset? previous, DateTimeOffset changedAt)
    {
        if (_pending.Count >= MaxPending && !_pending.ContainsKey(payment))
        {
            return;
        }

        // Two changes before a flush: the later one is listed, and the entry stored before both goes.
        _pending.AddOrUpdate(payment, new Change(previous, changedAt), (_, noted) => changedAt >= noted.ChangedAt
            ? new Change(noted.Previous, changedAt)
            : noted);
    }

    /// <summary>Writes the changes noted so far. Never fails for storage: it only logs (the changes are then dropped).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            var changes = Take();
            foreach (var batch in changes.Chunk(MaxBatch / 2))
            {
                await WriteAsync(batch, cancellationToken);
            }

            _sinceTrim += changes.Count;
            if (_sinceTrim >= Kept)
            {
                await TrimAsync(Kept, cancellationToken);
                _sinceTrim = 0;
            }
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            LogNotListed(logger, e);
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>The keys of the payments that changed last, newest first, each once: one query of twice as many entries.</summary>
    public async Task<IReadOnlyList<Guid>> ListAsync(int count, CancellationToken cancellationToken)
    {
        // Twice as many: a payment's older entry may linger where its removal lost a race.
        var wanted = count * 2;
        var found = new List<Guid>(count);
        try
        {
            await foreach (var page in _table.QueryAsync<TableEntity>(Filter, wanted, KeyColumn, cancellationToken).AsPages(pageSizeHint: wanted))
            {
                foreach (var key in page.Values.Select(e => PaymentOf(e.RowKey)).OfType<Guid>())
                {
                    if (!found.Contains(key))
                    {
                        found.Add(key);
                    }
                }

                // The first page: the newest entries.
                break;
            }
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            // Nothing stored yet.
        }

        return found.Take(count).ToArray();
    }

    /// <summary>Removes all entries but the <paramref name="keep"/> newest.</summary>
    internal async Task TrimAsync(int keep, CancellationToken cancellationToken)
    {
        var old = new List<string>();
        var seen = 0;
        await foreach (var entry in _table.QueryAsync<TableEntity>(Filter, select: KeyColumn, cancellationToken: cancellationToken))
        {
            if (++seen > keep)
            {
                old.Add(entry.RowKey);
            }
        }

        foreach (var batch in old.Chunk(MaxBatch))
        {
            await SubmitAsync(batch.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(PartitionKey, k))).ToList(), cancellationToken);
        }
    }

    // The time inverted, to the millisecond (as the status row's ChangedAt is read back), then the payment: newest first.
    internal static string RowKey(Guid payment, DateTimeOffset changedAt) =>
        string.Create(CultureInfo.InvariantCulture, $"{long.MaxValue - changedAt.ToUnixTimeMilliseconds():D19}_{payment:D}");

    private static Guid? PaymentOf(string rowKey) =>
        rowKey.Length > 20 && Guid.TryParseExact(rowKey[20..], "D", out var payment) ? payment : null;

    private List<KeyValuePair<Guid, Change>> Take()
    {
        var taken = new List<KeyValuePair<Guid, Change>>(_pending.Count);
        foreach (var payment in _pending.Keys)
        {
            if (_pending.TryRemove(payment, out var change))
            {
                taken.Add(new(payment, change));
            }
        }

        return taken;
    }

    // Each change: its entry, and the removal of the payment's entry before (all in the one partition).
    private async Task WriteAsync(KeyValuePair<Guid, Change>[] changes, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction>(changes.Length * 2);
        foreach (var (payment, change) in changes)
        {
            var entry = new TableEntity(PartitionKey, RowKey(payment, change.ChangedAt)) { ["ChangedAt"] = change.ChangedAt };
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entry));
            if (change.Previous is { } before && RowKey(payment, before) != entry.RowKey)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(PartitionKey, RowKey(payment, before))));
            }
        }

        try
        {
            await SubmitAsync(actions, cancellationToken);
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            // Deleted since start (the index creates it as well).
            await _table.CreateIfNotExistsAsync(cancellationToken);
            await SubmitAsync(actions, cancellationToken);
        }
    }

    /// <summary>One transaction; an entry to delete that is gone already (trimmed, never written) is left out and the rest sent again.</summary>
    private async Task SubmitAsync(List<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        while (actions.Count > 0)
        {
            try
            {
                await _table.SubmitTransactionAsync(actions, cancellationToken);
                return;
            }
            catch (TableTransactionFailedException e) when (e.Status == 404 && e.FailedTransactionActionIndex is { } failed && actions[failed].ActionType == TableTransactionActionType.Delete)
            {
                actions.RemoveAt(failed);
            }
        }
    }

    public void Dispose() => _flushing.Dispose();

    private sealed record Change(DateTimeOffset? Previous, DateTimeOffset ChangedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list the payments changed last among the recent payments; their status is stored")]
    private static partial void LogNotListed(ILogger logger, Exception exception);
}
