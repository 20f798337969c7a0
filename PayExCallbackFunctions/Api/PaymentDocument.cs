using PayExCallbackFunctions.Payments;

namespace PayExCallbackFunctions.Api;

/// <summary>
/// A payment as the payments API answers it: the normalised status, the amounts in minor units, the
/// references and ids, PayEx's <c>updated</c>, when the app last read it from PayEx and how long ago.
/// </summary>
public sealed record PaymentDocument
{
    public required string Id { get; init; }

    public required string Status { get; init; }

    public required long Version { get; init; }

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

    public string? PaymentOrder { get; init; }

    public string? Payment { get; init; }

    public long? Number { get; init; }

    /// <summary>PayEx's own last-changed time.</summary>
    public DateTimeOffset? Updated { get; init; }

    /// <summary>When the app last read the payment from PayEx.</summary>
    public DateTimeOffset CheckedAt { get; init; }

    /// <summary>Seconds since <see cref="CheckedAt"/>, when this answer was given.</summary>
    public long CheckedSecondsAgo { get; init; }

    /// <summary>When the status last changed (its version grew).</summary>
    public DateTimeOffset? ChangedAt { get; init; }

    /// <summary>Only in answers to a refresh: whether PayEx was asked, and why not.</summary>
    public RefreshOutcome? Refresh { get; init; }

    public static PaymentDocument From(Guid key, StatusRow row, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(row);
        var s = row.Snapshot;
        return new PaymentDocument
        {
            Id = key.ToString("D"),
            Status = s.Status,
            Version = row.Version,
            Amount = s.Amount,
            AuthorizedAmount = s.AuthorizedAmount,
            CapturedAmount = s.CapturedAmount,
            CancelledAmount = s.CancelledAmount,
            ReversedAmount = s.ReversedAmount,
            RemainingCaptureAmount = s.RemainingCaptureAmount,
            RemainingCancellationAmount = s.RemainingCancellationAmount,
            RemainingReversalAmount = s.RemainingReversalAmount,
            Currency = s.Currency,
            Instrument = s.Instrument,
            OrderReference = s.OrderReference,
            PayeeReference = s.PayeeReference,
            PaymentOrder = s.PaymentOrder,
            Payment = s.Payment,
            Number = s.Number,
            Updated = s.Updated,
            CheckedAt = row.CheckedAt,
            CheckedSecondsAgo = (long)Math.Max(0, (now - row.CheckedAt).TotalSeconds),
            ChangedAt = row.ChangedAt,
        };
    }
}

/// <summary>The payments a reference found.</summary>
public sealed record PaymentList(IReadOnlyList<PaymentDocument> Payments);
