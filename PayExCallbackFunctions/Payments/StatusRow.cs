using Azure.Data.Tables;

namespace PayExCallbackFunctions.Payments;

/// <summary>
/// The row <c>status</c> in a payment's partition of the payments table: the normalised status, its version,
/// and when the app last read the payment from PayEx. Written only in the same transaction as the resource rows
/// it was derived from; its ETag guards every write of the partition. Version 0: registered for tracking, not read
/// from PayEx yet (status pending, no amounts).
/// </summary>
public sealed record StatusRow(PaymentSnapshot Snapshot, long Version, DateTimeOffset CheckedAt)
{
    public const string RowKey = "status";

    /// <summary>Which API the payment is read through on a refresh (see <see cref="PaymentApi"/>).</summary>
    public string? Api { get; init; }

    /// <summary>The reference-index entries already written for this payment, so they are written once.</summary>
    public IReadOnlyList<string> Indexed { get; init; } = [];

    public DateTimeOffset? ChangedAt { get; init; }

    public PaymentTracking Tracking { get; init; } = PaymentTracking.None;

    /// <summary>Registered and never read from PayEx yet.</summary>
    public bool IsRegisteredOnly => Version == 0;

    public Azure.ETag ETag { get; init; }

    public TableEntity ToEntity(string partitionKey)
    {
        var s = Snapshot;
        var entity = new TableEntity(partitionKey, RowKey)
        {
            ["Status"] = s.Status,
            ["Version"] = Version,
            ["Amount"] = s.Amount,
            ["AuthorizedAmount"] = s.AuthorizedAmount,
            ["CapturedAmount"] = s.CapturedAmount,
            ["CancelledAmount"] = s.CancelledAmount,
            ["ReversedAmount"] = s.ReversedAmount,
            ["RemainingCaptureAmount"] = s.RemainingCaptureAmount,
            ["RemainingCancellationAmount"] = s.RemainingCancellationAmount,
            ["RemainingReversalAmount"] = s.RemainingReversalAmount,
            ["Currency"] = s.Currency,
            ["Instrument"] = s.Instrument,
            ["OrderReference"] = s.OrderReference,
            ["PayeeReference"] = s.PayeeReference,
            ["PaymentOrder"] = s.PaymentOrder,
            ["Payment"] = s.Payment,
            ["Number"] = s.Number,
            ["Updated"] = s.Updated,
            ["CheckedAt"] = CheckedAt,
            ["ChangedAt"] = ChangedAt,
            ["Api"] = Api,
            ["Indexed"] = string.Join('\n', Indexed),
        };
        Tracking.WriteTo(entity);
        return entity;
    }

    public static StatusRow From(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var snapshot = new PaymentSnapshot
        {
            Status = entity.GetString("Status") ?? PaymentStatus.Pending,
            Amount = entity.GetInt64("Amount"),
            AuthorizedAmount = entity.GetInt64("AuthorizedAmount") ?? 0,
            CapturedAmount = entity.GetInt64("CapturedAmount") ?? 0,
            CancelledAmount = entity.GetInt64("CancelledAmount") ?? 0,
            ReversedAmount = entity.GetInt64("ReversedAmount") ?? 0,
            RemainingCaptureAmount = entity.GetInt64("RemainingCaptureAmount"),
            RemainingCancellationAmount = entity.GetInt64("RemainingCancellationAmount"),
            RemainingReversalAmount = entity.GetInt64("RemainingReversalAmount"),
            Currency = entity.GetString("Currency"),
            Instrument = entity.GetString("Instrument"),
            OrderReference = entity.GetString("OrderReference"),
            PayeeReference = entity.GetString("PayeeReference"),
            PaymentOrder = entity.GetString("PaymentOrder"),
            Payment = entity.GetString("Payment"),
            Number = entity.GetInt64("Number"),
            Updated = entity.GetDateTimeOffset("Updated"),
        };
        return new StatusRow(snapshot, entity.GetInt64("Version") ?? 1, entity.GetDateTimeOffset("CheckedAt") ?? entity.Timestamp ?? DateTimeOffset.MinValue)
        {
            Api = entity.GetString("Api"),
            Indexed = entity.GetString("Indexed") is { Length: > 0 } indexed ? indexed.Split('\n') : [],
            ChangedAt = entity.GetDateTimeOffset("ChangedAt"),
            Tracking = PaymentTracking.ReadFrom(entity),
            ETag = entity.ETag,
        };
    }
}
