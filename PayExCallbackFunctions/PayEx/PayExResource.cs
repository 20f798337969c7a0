namespace PayExCallbackFunctions.PayEx;

/// <summary>
/// The state of one PayEx resource as PayEx returned it, reduced to what the payments table stores.
/// <see cref="RowKey"/> is <c>paymentorder</c>, <c>payment-{guid}</c>, <c>transaction-{guid}</c>, or
/// <c>attempt-{number}</c> for a v3.1 payment attempt that PayEx gives no id.
/// </summary>
public sealed record PayExResource(
    string RowKey,
    string ResourceId,
    string Json)
{
    public long? Number { get; init; }

    /// <summary>Payment state, payment order status, or transaction state.</summary>
    public string? State { get; init; }

    /// <summary>Transaction type: Authorization, Capture, Reversal, Cancellation, Sale, ...</summary>
    public string? Type { get; init; }

    public long? Amount { get; init; }

    public string? Currency { get; init; }

    /// <summary>PayEx's own last-changed time of the resource.</summary>
    public DateTimeOffset? Updated { get; init; }

    public string? Instrument { get; init; }

    public string? PayeeReference { get; init; }

    public string? OrderReference { get; init; }

    /// <summary>
    /// For payments and payment orders: every payeeReference and orderReference the merchant gave it,
    /// on the resource itself or in its expanded payeeInfo.
    /// </summary>
    public IReadOnlyList<string> MerchantReferences { get; init; } = [];

    /// <summary>PayEx's remaining amounts of a payment or payment order; null where PayEx omitted them.</summary>
    public long? RemainingCaptureAmount { get; init; }

    public long? RemainingCancellationAmount { get; init; }

    public long? RemainingReversalAmount { get; init; }

    /// <summary>
    /// For a payment read with <c>$expand=transactions</c>, its transactions; for a transaction, itself: what a
    /// payment's status is derived from.
    /// </summary>
    public IReadOnlyList<Payments.TransactionFact> Transactions { get; init; } = [];

    /// <summary>For a v3.x payment order: the status it shows (null for v2, whose status comes from its payment).</summary>
    public Payments.PaymentSnapshot? Snapshot { get; init; }

    /// <summary>For payment orders read with <c>$expand=payments</c>: the paths of the payments PayEx lists under it.</summary>
    public IReadOnlyList<string> Payments { get; init; } = [];
}
