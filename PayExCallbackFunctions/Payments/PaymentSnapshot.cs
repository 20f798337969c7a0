namespace PayExCallbackFunctions.Payments;

/// <summary>
/// What PayEx's answer says about one payment at the time of the GET, in the normalised vocabulary.
/// Amounts are in minor units; the <c>Remaining*</c> amounts are PayEx's own, null where PayEx omitted them.
/// </summary>
public record PaymentSnapshot
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-2)]
    public required string Status { get; init; }

    public long? Amount { get; init; }

    public long AuthorizedAmount { get; init; }

    public long CapturedAmount { get; init; }

    public long CancelledAmount { get; init; }

    public long ReversedAmount { get; init; }

    public long? RemainingCaptureAmount { get; init; }

    public long? RemainingCancellationAmount { get; init; }

    public long? RemainingReversalAmount { get; init; }

    public string? Currency { get; init; }

    public string? Instrument { get; init; }

    public string? OrderReference { get; init; }

    public string? PayeeReference { get; init; }

    /// <summary>The payment order's path, where the payment has one.</summary>
    public string? PaymentOrder { get; init; }

    /// <summary>The payment's path (v1, and the payment a v2/v3.0 callback names).</summary>
    public string? Payment { get; init; }

    /// <summary>The payment's number (v1, v2/v3.0), or the number of the attempt that paid (v3.1).</summary>
    public long? Number { get; init; }

    /// <summary>PayEx's own last-changed time of the document the status was read from.</summary>
    public DateTimeOffset? Updated { get; init; }

    /// <summary>
    /// Whether the payment is a different one to an order system: its status or any amount differs. A
    /// change is a new version; a new <see cref="Updated"/> alone, or a reference filled in, is not.
    /// </summary>
    public bool DiffersFrom(PaymentSnapshot other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Status != other.Status
            || Amount != other.Amount
            || AuthorizedAmount != other.AuthorizedAmount
            || CapturedAmount != other.CapturedAmount
            || CancelledAmount != other.CancelledAmount
            || ReversedAmount != other.ReversedAmount
            || RemainingCaptureAmount != other.RemainingCaptureAmount
            || RemainingCancellationAmount != other.RemainingCancellationAmount
            || RemainingReversalAmount != other.RemainingReversalAmount;
    }

    /// <summary>
    /// Whether this answer is newer than <paramref name="stored"/>: PayEx's <c>updated</c> decides; where it is
    /// the same (or missing), the one further along (<see cref="PaymentStatus.Progress"/>). A repeated answer is
    /// not newer.
    /// </summary>
    public bool IsNewerThan(PaymentSnapshot stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (Updated is { } mine && stored.Updated is { } theirs && mine != theirs)
        {
            return mine > theirs;
        }

        if ((Updated is null) != (stored.Updated is null))
        {
            // An answer with PayEx's time is preferred to one without (which PayEx does not give today).
            return Updated is not null;
        }

        return PaymentStatus.Progress(this) > PaymentStatus.Progress(stored);
    }
}
