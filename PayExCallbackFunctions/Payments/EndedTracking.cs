using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Payments;

/// <summary>
/// The payments whose tracking ended without a final status (still pending, authorized and never captured, unknown to
/// PayEx), for the operator: the partition <see cref="ScheduledChecks.EndedPartition"/> of the checks table, one row
/// per payment. A payment tracked again leaves the list.
/// </summary>
public sealed class EndedTracking(TableServiceClient tables, IOptions<StorageOptions> options)
{
    private static readonly string Filter = TableClient.CreateQueryFilter($"PartitionKey eq {ScheduledChecks.EndedPartition}");

    private readonly TableClient _table = tables.GetTableClient(options.Value.PaymentChecksTable);

    public async Task AddAsync(Guid payment, string status, string reason, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        var entry = new TableEntity(ScheduledChecks.EndedPartition, payment.ToString("D"))
        {
            ["Status"] = status,
            ["Reason"] = reason,
            ["EndedAt"] = endedAt,
        };
        await _table.UpsertCreatingAsync(entry, cancellationToken);
    }

    public async Task RemoveAsync(Guid payment, CancellationToken cancellationToken)
    {
        try
        {
            await _table.DeleteEntityAsync(ScheduledChecks.EndedPartition, payment.ToString("D"), ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Not listed.
        }
    }

    /// <summary>How many are listed (reading at most <paramref name="limit"/>), and the <paramref name="shown"/> that ended last.</summary>
    public async Task<(int Count, IReadOnlyList<EndedPayment> Latest)> ReadAsync(int shown, int limit, CancellationToken cancellationToken)
    {
        var all = new List<EndedPayment>();
        try
        {
            await foreach (var row in _table.QueryAsync<TableEntity>(Filter, 1000, cancellationToken: cancellationToken))
            {
                if (Guid.TryParseExact(row.RowKey, "D", out var payment))
                {
                    all.Add(new EndedPayment(payment, row.GetString("Status") ?? "", row.GetString("Reason") ?? "", row.GetDateTimeOffset("EndedAt") ?? DateTimeOffset.MinValue));
                }

                if (all.Count >= limit)
                {
                    break;
                }
            }
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            // Nothing ended yet.
        }

        return (all.Count, all.OrderByDescending(e => e.EndedAt).Take(shown).ToArray());
    }
}

/// <summary>A payment whose tracking ended at <paramref name="EndedAt"/> in <paramref name="Status"/>, and why.</summary>
public sealed record EndedPayment(Guid Payment, string Status, string Reason, DateTimeOffset EndedAt);
