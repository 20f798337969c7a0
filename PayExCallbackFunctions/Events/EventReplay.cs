using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// Makes an undelivered event pending again for its sink, with its attempts from zero, and delivers the payment now. The
/// payment is marked first, so that the relay finishes what a failure here leaves, and again once the event is pending:
/// a delivery after a commit whose read came before that may remove its writer's mark only if nothing marked since
/// (<see cref="PendingEvents"/>). The index row goes last.
/// </summary>
public sealed class EventReplay(TableServiceClient tables, PendingEvents pending, UndeliveredEvents undelivered, EventDelivery delivery, IOptions<StorageOptions> storage, TimeProvider time)
{
    private readonly TableClient _table = tables.GetTableClient(storage.Value.PaymentsTable);

    public async Task<EventReplayResult> ReplayAsync(UndeliveredEvent found, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(found);
        await pending.MarkAsync(found.Payment, cancellationToken);
        var again = new TableEntity(found.Payment.ToString("D"), EventRow.RowKey(found.Version))
        {
            [EventRow.Pending(found.Sink)] = true,
            [EventRow.Attempts(found.Sink)] = 0,
            [EventRow.RetryAt(found.Sink)] = time.GetUtcNow(),
        };
        await _table.UpdateEntityAsync(again, ETag.All, TableUpdateMode.Merge, cancellationToken);
        await pending.MarkAsync(found.Payment, cancellationToken);
        await undelivered.RemoveAsync(found.Id, cancellationToken);
        var result = await delivery.DeliverAsync(found.Payment, cancellationToken);
        var waiting = result.Waiting.Contains(found.Sink);
        return new EventReplayResult(found.Id, !waiting && result != DeliveryResult.Handed, waiting ? result.RetryAt : null);
    }
}
