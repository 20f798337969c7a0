namespace PayExCallbackFunctions.Payments;

/// <summary>
/// The normalised status of a payment, one vocabulary for every PayEx API generation
/// (see STATUS-MODEL in the README: Payment status).
/// </summary>
public static class PaymentStatus
{
    public const string Pending = "pending";
    public const string Authorized = "authorized";
    public const string PartiallyCaptured = "partially_captured";
    public const string Captured = "captured";
    public const string PartiallyReversed = "partially_reversed";
    public const string Reversed = "reversed";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";
    public const string Aborted = "aborted";

    public static IReadOnlyList<string> All { get; } =
        [Pending, Authorized, PartiallyCaptured, Captured, PartiallyReversed, Reversed, Cancelled, Failed, Aborted];

    /// <summary>
    /// From the amounts PayEx gives (minor units). PayEx omits a remaining amount when it is zero (v1) or
    /// after a full capture (a known gap of v3.x answers): absent counts as zero.
    /// </summary>
    public static string FromAmounts(long authorized, long captured, long cancelled, long reversed, long? remainingCapture)
    {
        var remaining = remainingCapture ?? 0;
        return (authorized, captured, cancelled, reversed) switch
        {
            (0, 0, _, _) => Pending,
            (_, _, _, > 0) => reversed >= captured ? Reversed : PartiallyReversed,
            (_, > 0, _, _) => remaining > 0 ? PartiallyCaptured : Captured,
            (_, _, > 0, _) when remaining == 0 => Cancelled,
            _ => Authorized,
        };
    }

    /// <summary>
    /// How far a payment has come, for ordering two answers that PayEx gave the same <c>updated</c>:
    /// money only ever moves on (captured, cancelled and reversed amounts grow), and a final status is further
    /// than a pending one.
    /// </summary>
    public static long Progress(PaymentSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var moved = snapshot.AuthorizedAmount + snapshot.CapturedAmount + snapshot.CancelledAmount + snapshot.ReversedAmount;
        var final = snapshot.Status is Failed or Aborted ? 1 : 0;
        return (moved * 2) + final;
    }
}
