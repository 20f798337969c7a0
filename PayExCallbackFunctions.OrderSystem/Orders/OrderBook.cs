using PayExCallbackFunctions.OrderSystem.Events;

namespace PayExCallbackFunctions.OrderSystem.Orders;

public enum ApplyOutcome
{
    Applied,
    Duplicate,
    Stale,
}

/// <summary>
/// Applies payment events to orders, the same for the queue and the webhook: one payment at a time; an event already
/// applied (its id) or older than the order (its sequence) is dropped; else the order takes the snapshot's state and
/// amounts, and a capture that raises the captured amount writes one receipt, keyed by the event's id.
/// </summary>
public sealed class OrderBook(OrderFiles files, TimeProvider time, ILogger<OrderBook> logger)
{
    // A fixed set of locks, a payment always taking the same: bounded, and two payments rarely wait for each other.
    private readonly SemaphoreSlim[] _locks = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task<ApplyOutcome> ApplyAsync(ValidEvent e, CancellationToken cancellationToken)
    {
        var gate = _locks[(e.Payment.GetHashCode() & int.MaxValue) % _locks.Length];
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await ApplyLockedAsync(e, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<ApplyOutcome> ApplyLockedAsync(ValidEvent e, CancellationToken cancellationToken)
    {
        var order = await files.ReadOrderAsync(e.Payment, cancellationToken);
        if (order is not null && order.AppliedEventIds.Contains(e.Id))
        {
            logger.LogInformation("Order {OrderReference} (payment {Payment}): event {EventId} already applied, ignored", order.OrderReference, e.Payment, e.Id);
            return ApplyOutcome.Duplicate;
        }

        if (order is not null && e.Sequence <= order.Sequence)
        {
            logger.LogInformation(
                "Order {OrderReference} (payment {Payment}): event {EventId} is stale (sequence {Sequence}, applied {AppliedSequence}), ignored",
                order.OrderReference, e.Payment, e.Id, e.Sequence, order.Sequence);
            return ApplyOutcome.Stale;
        }

        var snapshot = e.Snapshot;
        var now = time.GetUtcNow();
        var capturedBefore = order?.CapturedAmount ?? 0;
        // The receipt before the order: a crash between the two redelivers the event, whose receipt then exists.
        var receipted = snapshot.CapturedAmount > capturedBefore && await files.TryWriteReceiptAsync(
            new Receipt(
                e.Id,
                snapshot.OrderReference ?? order?.OrderReference,
                e.Payment,
                snapshot.CapturedAmount - capturedBefore,
                snapshot.CapturedAmount,
                snapshot.Currency,
                e.Data.ChangedAt ?? now,
                now),
            cancellationToken);

        var status = e.Data.Status!;
        var updated = new Order(
            e.Payment,
            snapshot.OrderReference ?? order?.OrderReference,
            OrderStates.Of(status),
            status,
            snapshot.CapturedAmount > 0 && snapshot.CapturedAmount < snapshot.Amount,
            snapshot.Amount,
            // What was receipted never goes down: a later snapshot captures more, or nothing new.
            Math.Max(snapshot.CapturedAmount, capturedBefore),
            snapshot.ReversedAmount,
            snapshot.Currency ?? order?.Currency,
            e.Sequence,
            now,
            [.. order?.AppliedEventIds ?? [], e.Id]);
        await files.WriteOrderAsync(updated, cancellationToken);
        logger.LogInformation(
            "Order {OrderReference} (payment {Payment}) is {State}, sequence {Sequence}{Receipt}",
            updated.OrderReference, e.Payment, updated.State, e.Sequence, receipted ? "; receipt written" : "");
        return ApplyOutcome.Applied;
    }
}
