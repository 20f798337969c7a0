using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Payments;

/// <summary>
/// When each tracked payment is next to be checked with PayEx: a table (<see cref="StorageOptions.PaymentChecksTable"/>)
/// whose partition is the minute a check is due (<c>yyyyMMddHHmm</c>, UTC) and whose row is the payment. Table Storage
/// keeps partitions in key order, so the checks due by now are one range query that reads only them, however many
/// payments are tracked for later. An entry is a reminder, not the plan: the payment's status row decides, when the
/// entry comes due, whether a check is due at all (a callback since may have pushed it out; tracking may have ended).
/// The partition <see cref="EndedPartition"/> lists payments whose tracking ended without a final status.
/// </summary>
public sealed class ScheduledChecks(TableServiceClient tables, IOptions<StorageOptions> options)
{
    public const string EndedPartition = "ended";

    private const string BucketFormat = "yyyyMMddHHmm";

    private static readonly string[] DueColumns = ["PartitionKey", "RowKey", "DueAt"];

    private readonly TableClient _table = tables.GetTableClient(options.Value.PaymentChecksTable);

    /// <summary>Adds (or replaces, within the same minute) the reminder to check <paramref name="payment"/> at <paramref name="dueAt"/>.</summary>
    public async Task AddAsync(Guid payment, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        await _table.UpsertCreatingAsync(new TableEntity(Bucket(dueAt), payment.ToString("D")) { ["DueAt"] = dueAt }, cancellationToken);
    }

    /// <summary>Replaces <paramref name="check"/> by a reminder at <paramref name="dueAt"/>: the new one first, so none is ever missing.</summary>
    public async Task MoveAsync(ScheduledCheck check, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        await AddAsync(check.Payment, dueAt, cancellationToken);
        if (Bucket(dueAt) != Bucket(check.DueAt))
        {
            // In the same minute it is the same entry, replaced.
            await RemoveAsync(check, cancellationToken);
        }
    }

    /// <summary>Removes a reminder; one gone already is no failure.</summary>
    public async Task RemoveAsync(ScheduledCheck check, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        try
        {
            await _table.DeleteEntityAsync(Bucket(check.DueAt), check.Payment.ToString("D"), ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Removed by another sweep, or never written.
        }
    }

    /// <summary>The checks due at <paramref name="now"/>, oldest first: the minutes up to now, nothing later.</summary>
    public async IAsyncEnumerable<ScheduledCheck> DueAsync(DateTimeOffset now, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {Bucket(now)}");
        var entries = _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: DueColumns, cancellationToken: cancellationToken);
        await using var enumerator = entries.GetAsyncEnumerator(cancellationToken);
        while (await NextAsync(enumerator))
        {
            if (Read(enumerator.Current) is { } check && check.DueAt <= now)
            {
                yield return check;
            }
        }
    }

    /// <summary>
    /// How many reminders there are, how many are due and how many were due before <paramref name="overdueBefore"/>,
    /// reading at most <paramref name="limit"/> entries (the counts say when they stopped there).
    /// </summary>
    public async Task<ScheduledCheckCounts> CountAsync(DateTimeOffset now, DateTimeOffset overdueBefore, int limit, CancellationToken cancellationToken)
    {
        int scheduled = 0, due = 0, overdue = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey lt {EndedPartition}");
        var entries = _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: DueColumns, cancellationToken: cancellationToken);
        await using var enumerator = entries.GetAsyncEnumerator(cancellationToken);
        while (scheduled < limit && await NextAsync(enumerator))
        {
            if (Read(enumerator.Current) is not { } check)
            {
                continue;
            }

            scheduled++;
            due += check.DueAt <= now ? 1 : 0;
            overdue += check.DueAt < overdueBefore ? 1 : 0;
        }

        return new ScheduledCheckCounts(scheduled, due, overdue, scheduled >= limit);
    }

    internal static string Bucket(DateTimeOffset at) => at.UtcDateTime.ToString(BucketFormat, CultureInfo.InvariantCulture);

    private static ScheduledCheck? Read(TableEntity entry) =>
        entry.PartitionKey.Length == BucketFormat.Length && Guid.TryParseExact(entry.RowKey, "D", out var payment) && entry.GetDateTimeOffset("DueAt") is { } dueAt
            ? new ScheduledCheck(payment, dueAt)
            : null;

    // A table not created yet holds no reminders.
    private static async Task<bool> NextAsync(IAsyncEnumerator<TableEntity> enumerator)
    {
        try
        {
            return await enumerator.MoveNextAsync();
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            return false;
        }
    }
}

/// <summary>A reminder to check <paramref name="Payment"/> (its partition's key) with PayEx at <paramref name="DueAt"/>.</summary>
public sealed record ScheduledCheck(Guid Payment, DateTimeOffset DueAt);

/// <summary>Reminders in all, due now, and overdue; <paramref name="AtLeast"/>: counting stopped at its limit.</summary>
public sealed record ScheduledCheckCounts(int Scheduled, int Due, int Overdue, bool AtLeast);
