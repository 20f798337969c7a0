using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// Sends a payment's recorded events that the queue sink has not had yet, oldest first, and marks each delivered
/// after the queue took it: at least once (a crash between the two sends it again, with the same id), in sequence
/// order for the payment. It stops at the first failure; the next delivery, or the relay, goes on from there.
/// </summary>
public sealed class EventDelivery(TableServiceClient tables, QueueSink queue, IOptions<StorageOptions> options, TimeProvider time)
{
    private static readonly string[] Columns = ["RowKey", EventRow.DocumentColumn];

    private readonly TableClient _table = tables.GetTableClient(options.Value.PaymentsTable);

    /// <summary>Delivers what is pending for <paramref name="payment"/>; returns how many events went.</summary>
    public async Task<int> DeliverAsync(Guid payment, CancellationToken cancellationToken)
    {
        var partitionKey = payment.ToString("D");
        // The column by name (EventRow.PendingColumn): an interpolated name would be quoted as a value.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {EventRow.Prefix} and RowKey lt {EventRow.After} and PendingQueue eq true");
        var delivered = 0;
        // Table Storage answers a partition in row-key order: the versions in order.
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, 100, Columns, cancellationToken))
        {
            await queue.SendAsync(row.GetString(EventRow.DocumentColumn) ?? "", cancellationToken);
            var done = new TableEntity(partitionKey, row.RowKey) { [EventRow.PendingColumn] = false, ["DeliveredAt"] = time.GetUtcNow() };
            await _table.UpdateEntityAsync(done, ETag.All, TableUpdateMode.Merge, cancellationToken);
            delivered++;
        }

        return delivered;
    }
}
