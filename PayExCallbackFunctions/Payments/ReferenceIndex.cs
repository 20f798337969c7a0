using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Payments;

/// <summary>
/// The index from <see cref="PaymentReference"/>s to payments (a table of its own: Table Storage has no
/// secondary index). Partition: the reference; row: the key of the payment's partition. Written before the
/// status, so that a lookup never misses a stored payment (it may find one whose status is not stored yet).
/// The same table's partition <c>recent</c> is <see cref="RecentPayments"/>' (a reference's key always holds a ':').
/// </summary>
public sealed class ReferenceIndex(TableServiceClient tables, IOptions<StorageOptions> options, TimeProvider time)
{
    /// <summary>More payments than an order system could mean by one reference: the answer is cut there.</summary>
    public const int MaxPaymentsPerReference = 100;

    private readonly TableClient _table = tables.GetTableClient(options.Value.PaymentReferencesTable);

    public async Task AddAsync(Guid payment, IEnumerable<PaymentReference> references, CancellationToken cancellationToken)
    {
        var writes = references.Select(r => AddAsync(payment, r, cancellationToken)).ToArray();
        await Task.WhenAll(writes);
    }

    /// <summary>The keys of the payments found by <paramref name="reference"/>, oldest entry first.</summary>
    public async Task<IReadOnlyList<Guid>> FindAsync(PaymentReference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var found = new List<(Guid Key, DateTimeOffset? At)>();
        try
        {
            var rows = _table.QueryAsync<TableEntity>(e => e.PartitionKey == reference.Key, MaxPaymentsPerReference, ["RowKey", "IndexedAt"], cancellationToken);
            await foreach (var row in rows)
            {
                if (Guid.TryParseExact(row.RowKey, "D", out var key))
                {
                    found.Add((key, row.GetDateTimeOffset("IndexedAt")));
                }

                if (found.Count == MaxPaymentsPerReference)
                {
                    break;
                }
            }
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            // Nothing indexed yet.
        }

        return found.OrderBy(f => f.At).Select(f => f.Key).ToArray();
    }

    private async Task AddAsync(Guid payment, PaymentReference reference, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(reference.Key, payment.ToString("D"))
        {
            ["Kind"] = reference.Kind,
            ["Value"] = reference.Value,
            ["IndexedAt"] = time.GetUtcNow(),
        };
        try
        {
            // Insert, not upsert: an entry once written keeps its first time (the lookup's order).
            await _table.AddEntityAsync(entity, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409 && e.ErrorCode != TableErrorCode.TableBeingDeleted)
        {
            // Indexed before.
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            await _table.CreateIfNotExistsAsync(cancellationToken);
            await AddAsync(payment, reference, cancellationToken);
        }
    }
}
