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
/// A payment's entry replaces its previous one, and now and then the list is cut to <see cref="Kept"/> entries.
/// Written after the status's transaction, best effort: an entry lost leaves the payment off the list until its
/// next change, and its status is right all the same.
/// </summary>
public sealed partial class RecentPayments(TableServiceClient tables, IOptions<StorageOptions> options, ILogger<RecentPayments> logger)
{
    public const string PartitionKey = "recent";

    /// <summary>Entries left after a trim: far more than the page shows, few enough to read in one query.</summary>
    public const int Kept = 200;

    /// <summary>One change in this many trims the list (on average): its cost spread over the changes.</summary>
    private const int TrimEvery = 20;

    private const int MaxBatch = 100;

    private static readonly string[] KeyColumn = ["RowKey"];

    private static readonly string Filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey}");

    private readonly TableClient _table = tables.GetTableClient(options.Value.PaymentReferencesTable);

    /// <summary>
    /// Lists the payment as changed at <paramref name="changedAt"/>, and removes its entry of the change before
    /// (<paramref name="previous"/>). Never fails for storage: it only logs.
    /// </summary>
    public async Task RecordAsync(Guid payment, DateTimeOffset? previous, DateTimeOffset changedAt, CancellationToken cancellationToken)
    {
        try
        {
            var entry = new TableEntity(PartitionKey, RowKey(payment, changedAt)) { ["ChangedAt"] = changedAt };
            var added = AddAsync(entry, cancellationToken);
            var removed = previous is { } before && RowKey(payment, before) != entry.RowKey
                ? RemoveAsync(RowKey(payment, before), cancellationToken)
                : Task.CompletedTask;
            await Task.WhenAll(added, removed);
            if (Random.Shared.Next(TrimEvery) == 0)
            {
                await TrimAsync(Kept, cancellationToken);
            }
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            LogNotListed(logger, payment, e);
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
            try
            {
                await _table.SubmitTransactionAsync(batch.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(PartitionKey, k))), cancellationToken);
            }
            catch (TableTransactionFailedException e) when (e.Status == 404)
            {
                // Another trim took some of them: the next one takes the rest.
            }
        }
    }

    // The time inverted, to the millisecond (as the status row's ChangedAt is read back), then the payment: newest first.
    internal static string RowKey(Guid payment, DateTimeOffset changedAt) =>
        string.Create(CultureInfo.InvariantCulture, $"{long.MaxValue - changedAt.ToUnixTimeMilliseconds():D19}_{payment:D}");

    private static Guid? PaymentOf(string rowKey) =>
        rowKey.Length > 20 && Guid.TryParseExact(rowKey[20..], "D", out var payment) ? payment : null;

    private async Task AddAsync(TableEntity entry, CancellationToken cancellationToken)
    {
        try
        {
            await _table.UpsertEntityAsync(entry, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            // Deleted since start (the index creates it as well).
            await _table.CreateIfNotExistsAsync(cancellationToken);
            await _table.UpsertEntityAsync(entry, TableUpdateMode.Replace, cancellationToken);
        }
    }

    private async Task RemoveAsync(string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await _table.DeleteEntityAsync(PartitionKey, rowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Trimmed, or never written.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list payment {PaymentKey} among the recent payments; its status is stored")]
    private static partial void LogNotListed(ILogger logger, Guid paymentKey, Exception exception);
}
