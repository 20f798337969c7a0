namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>The PayEx API generation a scripted payment belongs to; it decides its documents and callbacks.</summary>
public enum Generation
{
    V1,
    V2,
    V30,
    V31,
}

/// <summary>
/// A transaction PayEx made for a scripted payment. A failed one (state Failed) counts in no amount;
/// on a payment order it is a failed attempt.
/// </summary>
public sealed record LifeTransaction(
    Guid Id,
    string Type,
    string State,
    long Number,
    long Amount,
    string PayeeReference,
    DateTimeOffset Created,
    DateTimeOffset Updated)
{
    public bool Completed => State == "Completed";
}

/// <summary>
/// One payment (v1) or payment order (v2, v3.x) as a test scripts it through its life: what PayEx
/// holds about it, from which each generation's documents are drawn. Amounts follow PayEx's rules:
/// a capture or cancellation takes from what is authorized and not yet captured or cancelled, a
/// reversal from what is captured (or sold) and not yet reversed.
/// </summary>
public sealed class PaymentLife
{
    public required Generation Generation { get; init; }

    /// <summary>The instrument as its payment path names it: creditcard, swish, ...</summary>
    public required string Instrument { get; init; }

    /// <summary>Authorization or Sale.</summary>
    public required string Intent { get; init; }

    public required long Amount { get; init; }

    public required string Currency { get; init; }

    public string? OrderReference { get; init; }

    public required string PayeeReference { get; init; }

    /// <summary>Where each step's callback is POSTed, as PayEx does; null: the caller posts it.</summary>
    public Uri? CallbackUrl { get; init; }

    /// <summary>The payment order's id; null for v1.</summary>
    public Guid? OrderId { get; init; }

    /// <summary>The payment's id: v1 from the start; v2 and v3.0 once the payer starts paying; v3.1 never.</summary>
    public Guid? PaymentId { get; set; }

    public long? PaymentNumber { get; set; }

    public required DateTimeOffset Created { get; init; }

    public DateTimeOffset Updated { get; set; }

    /// <summary>Failed or Aborted once the payment has ended so; null while it lives.</summary>
    public string? Ended { get; set; }

    public List<LifeTransaction> Transactions { get; } = [];

    /// <summary>Guards the life: steps and renderings take it, so a document is never half a step.</summary>
    public Lock Sync { get; } = new();

    public string? OrderPath => OrderId is { } id ? $"/psp/paymentorders/{id:D}" : null;

    public string? PaymentPath => PaymentId is { } id ? $"/psp/{Instrument}/payments/{id:D}" : null;

    /// <summary>The instrument as PayEx names it in documents: CreditCard, Swish, ...</summary>
    public string InstrumentName => Instruments.DisplayName(Instrument);

    /// <summary>The completed Authorization or Sale; null until paid.</summary>
    public LifeTransaction? Paid => Transactions.FirstOrDefault(t => t.Completed && t.Type is "Authorization" or "Sale");

    public bool IsSale => Paid?.Type == "Sale";

    public long Captured => Sum("Capture") + (IsSale ? Paid!.Amount : 0);

    public long CancelledAmount => Sum("Cancellation");

    public long ReversedAmount => Sum("Reversal");

    public long RemainingCapture => Paid is { Type: "Authorization" } paid ? paid.Amount - Sum("Capture") - CancelledAmount : 0;

    /// <summary>What is authorized and not captured may be cancelled.</summary>
    public long RemainingCancellation => RemainingCapture;

    public long RemainingReversal => Captured - ReversedAmount;

    /// <summary>The payment order's status in v3.x terms (see STATUS-MODEL.md).</summary>
    public string OrderStatus => this switch
    {
        { Ended: { } ended } => ended,
        { Paid: null } => "Initialized",
        _ when CancelledAmount > 0 && Captured == 0 && RemainingCapture == 0 => "Cancelled",
        _ when ReversedAmount > 0 && RemainingReversal == 0 && RemainingCapture == 0 => "Reversed",
        _ => "Paid",
    };

    /// <summary>The payment's (and a v2 payment order's) state: Ready however far it has come.</summary>
    public string PaymentState => Ended ?? "Ready";

    /// <summary>The newest completed transaction of <paramref name="type"/>.</summary>
    public LifeTransaction? Last(string type) => Transactions.LastOrDefault(t => t.Completed && t.Type == type);

    public LifeTransaction? Find(Guid id) => Transactions.FirstOrDefault(t => t.Id == id);

    private long Sum(string type) => Transactions.Where(t => t.Completed && t.Type == type).Sum(t => t.Amount);
}
