using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// The payments that may have events not delivered yet: the partition <see cref="Partition"/> of the checks table, a
/// row per payment, written before the transaction that records an event (so no recorded event is ever without one)
/// and after the writer has the status ETag (read, or remembered from its own last write) that transaction is guarded
/// by. It is removed by the delivery right after the commit when that left nothing, if the mark is still the one the
/// writer made: a later commit of the payment was guarded by an ETag from after this one's commit, so its mark outdates
/// this one (a replay marks again once its event is pending, for the same reason). Otherwise the relay removes it once
/// the payment has nothing left and the mark is old enough that no write of the payment can still be under way. A
/// payment whose sinks are waiting to retry carries when (<c>RetryAt</c>) and which (<c>Waiting</c>). The relay reads
/// this partition only, however many payments there are.
/// </summary>
public sealed class PendingEvents(TableServiceClient tables, IOptions<StorageOptions> options)
{
    public const string Partition = "events";

    private static readonly string Filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");

    private readonly TableClient _table = tables.GetTableClient(options.Value.PaymentChecksTable);

    /// <summary>
    /// Marks the payment (again: a new mark outdates one read or written before, so it is not removed under a new event);
    /// the mark's ETag, which removes it if nothing marks it since (<see cref="ClearAsync(Guid, ETag, CancellationToken)"/>).
    /// </summary>
    public Task<ETag?> MarkAsync(Guid payment, CancellationToken cancellationToken) =>
        _table.UpsertCreatingAsync(new TableEntity(Partition, payment.ToString("D")), cancellationToken);

    /// <summary>
    /// The marks due: a fresh one (no retry time) last written before <paramref name="settledBefore"/>, or one whose
    /// retry time has come by <paramref name="now"/>; with their ETags, at most <paramref name="max"/>.
    /// </summary>
    public async Task<IReadOnlyList<PendingMark>> DueAsync(DateTimeOffset settledBefore, DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var marks = new List<PendingMark>();
        foreach (var mark in await AllAsync(cancellationToken))
        {
            if ((mark.RetryAt is null ? mark.WrittenAt < settledBefore : mark.RetryAt <= now) && marks.Count < max)
            {
                marks.Add(mark);
            }
        }

        return marks;
    }

    /// <summary>Every mark (the status page counts them).</summary>
    public async Task<IReadOnlyList<PendingMark>> AllAsync(CancellationToken cancellationToken)
    {
        var marks = new List<PendingMark>();
        try
        {
            // Whole rows: a selected Timestamp is not given by every Table service (Azurite).
            await foreach (var row in _table.QueryAsync<TableEntity>(Filter, 1000, cancellationToken: cancellationToken))
            {
                if (Guid.TryParseExact(row.RowKey, "D", out var payment))
                {
                    var waiting = (row.GetString("Waiting") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
                    marks.Add(new PendingMark(payment, row.ETag, row.Timestamp ?? DateTimeOffset.MinValue, row.GetDateTimeOffset("RetryAt"), waiting));
                }
            }
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            // Nothing marked yet.
        }

        return marks;
    }

    /// <summary>Says when the payment's next attempt is due and which sinks wait, if the mark is still as read.</summary>
    public async Task DeferAsync(PendingMark mark, DateTimeOffset retryAt, IEnumerable<string> waiting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mark);
        var update = new TableEntity(Partition, mark.Payment.ToString("D")) { ["RetryAt"] = retryAt, ["Waiting"] = string.Join(',', waiting) };
        try
        {
            await _table.UpdateEntityAsync(update, mark.ETag, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Marked again since (a new event: the relay takes it as fresh), or gone.
        }
    }

    /// <summary>Removes a mark if it is still as read: a payment marked again since keeps it.</summary>
    public Task ClearAsync(PendingMark mark, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mark);
        return ClearAsync(mark.Payment, mark.ETag, cancellationToken);
    }

    /// <summary>Removes the payment's mark if it is still the one with <paramref name="etag"/>: a payment marked again since keeps it.</summary>
    public async Task ClearAsync(Guid payment, ETag etag, CancellationToken cancellationToken)
    {
        if (etag == default || etag == ETag.All)
        {
            // Sent, it would remove a newer mark too.
            return;
        }

        try
        {
            await _table.DeleteEntityAsync(Partition, payment.ToString("D"), etag, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Gone, or marked again: either way not this caller's to remove.
        }
    }
}

/// <summary>A payment that may have undelivered events: the mark's ETag and time as read, and its retry time and waiting sinks if deferred.</summary>
public sealed record PendingMark(Guid Payment, ETag ETag, DateTimeOffset WrittenAt, DateTimeOffset? RetryAt, IReadOnlyList<string> Waiting);
