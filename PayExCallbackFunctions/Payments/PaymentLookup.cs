using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Payments;

/// <summary>
/// Finds a stored payment by an id the order system holds (its payment order's or its payment's) or by a
/// merchant reference, with its status. Point reads, plus one index query where the id is not a partition's.
/// </summary>
public sealed class PaymentLookup(TableServiceClient tables, ReferenceIndex index, IOptions<StorageOptions> options)
{
    private static readonly string[] ResourceColumns = ["RowKey", "ResourceId", "State"];

    private readonly TableClient _table = tables.GetTableClient(options.Value.PaymentsTable);

    /// <summary>The payment <paramref name="id"/> names, or null if none is stored.</summary>
    public async Task<StoredPayment?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await StatusAsync(id, cancellationToken) is { } status)
        {
            return new StoredPayment(id, status);
        }

        // A v2/v3.0 order's payment lives in the order's partition.
        foreach (var key in await index.FindAsync(PaymentReference.PaymentId(id), cancellationToken))
        {
            if (await StatusAsync(key, cancellationToken) is { } found)
            {
                return new StoredPayment(key, found);
            }
        }

        return await StoredBeforeStatusesAsync(id, cancellationToken);
    }

    /// <summary>The payments a merchant reference names whose status is stored, oldest first.</summary>
    public async Task<IReadOnlyList<StoredPayment>> FindAsync(PaymentReference reference, CancellationToken cancellationToken)
    {
        var keys = await index.FindAsync(reference, cancellationToken);
        var reads = keys.Select(async key => await StatusAsync(key, cancellationToken) is { } status ? new StoredPayment(key, status) : null).ToArray();
        await Task.WhenAll(reads);
        // An entry whose status is not written yet (its write failed, or is under way) is left out.
        return reads.Select(r => r.Result).OfType<StoredPayment>().ToArray();
    }

    public async Task<StatusRow?> StatusAsync(Guid key, CancellationToken cancellationToken)
    {
        try
        {
            var row = await _table.GetEntityIfExistsAsync<TableEntity>(key.ToString("D"), StatusRow.RowKey, cancellationToken: cancellationToken);
            return row.HasValue ? StatusRow.From(row.Value!) : null;
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    // Stored before payments had a status: found by its resource rows, so that a refresh can give it one.
    private async Task<StoredPayment?> StoredBeforeStatusesAsync(Guid id, CancellationToken cancellationToken)
    {
        var partition = id.ToString("D");
        var order = _table.GetEntityIfExistsAsync<TableEntity>(partition, "paymentorder", ResourceColumns, cancellationToken);
        var payment = _table.GetEntityIfExistsAsync<TableEntity>(partition, $"payment-{partition}", ResourceColumns, cancellationToken);
        await Task.WhenAll(order, payment);
        if (order.Result.HasValue)
        {
            var row = order.Result.Value!;
            // v3.x orders have a status PayEx names so; v2 orders a state, and their payment is read with them.
            var isV3 = row.GetString("State") is "Initialized" or "Paid" or "Cancelled" or "Reversed" or "Failed" or "Aborted";
            var paymentOfOrder = isV3 ? null : await FirstPaymentAsync(partition, cancellationToken);
            return new StoredPayment(id, null)
            {
                PaymentOrder = row.GetString("ResourceId"),
                Payment = paymentOfOrder,
                Api = isV3 ? PaymentApi.PaymentOrderV31 : PaymentApi.PaymentOrder,
            };
        }

        return payment.Result.HasValue
            ? new StoredPayment(id, null) { Payment = payment.Result.Value!.GetString("ResourceId"), Api = PaymentApi.Payment }
            : null;
    }

    private async Task<string?> FirstPaymentAsync(string partition, CancellationToken cancellationToken)
    {
        var rows = _table.QueryAsync<TableEntity>(
            e => e.PartitionKey == partition && e.RowKey.CompareTo("payment-") >= 0 && e.RowKey.CompareTo("payment.") < 0,
            1,
            ResourceColumns,
            cancellationToken);
        await foreach (var row in rows)
        {
            return row.GetString("ResourceId");
        }

        return null;
    }
}

/// <summary>
/// A stored payment: its partition's key and its status (null if it was stored before payments had one).
/// The paths and API say how to read it again from PayEx.
/// </summary>
public sealed record StoredPayment(Guid Key, StatusRow? Status)
{
    public string? PaymentOrder { get; init; } = Status?.Snapshot.PaymentOrder;

    public string? Payment { get; init; } = Status?.Snapshot.Payment;

    public string? Api { get; init; } = Status?.Api;
}
