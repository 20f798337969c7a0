using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// The payments that may have events not delivered yet: the partition <see cref="Partition"/> of the checks table, a
/// row per payment, written before the transaction that records an event (so no recorded event is ever without one),
/// and removed by the relay once the payment has nothing left to deliver and the mark is old enough that no write of
/// the payment can still be under way. The relay reads this partition only, however many payments there are.
/// </summary>
public sealed class PendingEvents(TableServiceClient tables, IOptions<StorageOptions> options)
{
    public const string Partition = "events";

    private static readonly string Filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");

    private readonly TableClient _table = tables.GetTableClient(options.Value.PaymentChecksTable);

    /// <summary>Marks the payment (again: a new mark outdates one the relay read, so it is not removed under a new event).</summary>
    public async Task MarkAsync(Guid payment, CancellationToken cancellationToken)
    {
        await _table.UpsertCreatingAsync(new TableEntity(Partition, payment.ToString("D")), cancellationToken);
    }

    /// <summary>The marks last written before <paramref name="before"/>, with their ETags, at most <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<PendingMark>> OlderThanAsync(DateTimeOffset before, int max, CancellationToken cancellationToken)
    {
        var marks = new List<PendingMark>();
        try
        {
            // Whole rows (a mark is its keys): a selected Timestamp is not given by every Table service (Azurite).
            await foreach (var row in _table.QueryAsync<TableEntity>(Filter, 1000, cancellationToken: cancellationToken))
            {
                if (row.Timestamp < before && Guid.TryParseExact(row.RowKey, "D", out var payment))
                {
                    marks.Add(new PendingMark(payment, row.ETag));
                    if (marks.Count >= max)
                    {
                        break;
                    }
                }
            }
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            // Nothing marked yet.
        }

        return marks;
    }

    /// <summary>Removes a mark if it is still as read: a payment marked again since keeps it.</summary>
    public async Task ClearAsync(PendingMark mark, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mark);
        try
        {
            await _table.DeleteEntityAsync(Partition, mark.Payment.ToString("D"), mark.ETag, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Gone, or marked again: either way not this relay's to remove.
        }
    }
}

/// <summary>A payment that may have undelivered events, and the mark's ETag as read.</summary>
public sealed record PendingMark(Guid Payment, ETag ETag);
