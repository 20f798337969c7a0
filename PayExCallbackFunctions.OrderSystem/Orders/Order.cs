namespace PayExCallbackFunctions.OrderSystem.Orders;

/// <summary>
/// An order as the order system keeps it, keyed by its payment: its state, the amounts of the last applied snapshot,
/// the sequence of that event, and the ids of the events applied (to drop redeliveries).
/// </summary>
public sealed record Order(
    Guid Payment,
    string? OrderReference,
    string State,
    string PaymentStatus,
    bool PartiallyCaptured,
    long Amount,
    long CapturedAmount,
    long ReversedAmount,
    string? Currency,
    long Sequence,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string> AppliedEventIds);

/// <summary>The receipt "sent" for one capture: one file per capturing event, never two.</summary>
public sealed record Receipt(
    string EventId,
    string? OrderReference,
    Guid Payment,
    long Captured,
    long TotalCaptured,
    string? Currency,
    DateTimeOffset CapturedAt,
    DateTimeOffset WrittenAt);

public static class OrderStates
{
    public const string AwaitingPayment = "awaiting_payment";
    public const string Paid = "paid";
    public const string Captured = "captured";
    public const string Cancelled = "cancelled";
    public const string Refunded = "refunded";
    public const string Failed = "failed";

    /// <summary>The order's state for a payment status.</summary>
    public static string Of(string paymentStatus) => paymentStatus switch
    {
        "pending" => AwaitingPayment,
        "authorized" => Paid,
        "partially_captured" or "captured" => Captured,
        "cancelled" => Cancelled,
        "partially_reversed" or "reversed" => Refunded,
        "failed" or "aborted" => Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(paymentStatus), paymentStatus, "Not a payment status."),
    };
}
