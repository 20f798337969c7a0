namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>
/// PayEx's numbers (of payments and transactions: 11 digits, one sequence) and merchant-style
/// payeeReferences (18 digits, as the official plugins make them from ticks), unique per stand-in.
/// </summary>
public sealed class PayExNumbers(TimeProvider time)
{
    private long _number = 40_130_000_000L + (Random.Shared.NextInt64(0, 1_000_000) * 100);
    private long _reference = time.GetUtcNow().Ticks;

    public long Next() => Interlocked.Increment(ref _number);

    public string NextReference() => Interlocked.Increment(ref _reference).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
