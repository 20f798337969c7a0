using PayExCallbackFunctions.Retry;

namespace PayExCallbackFunctions.Callbacks;

/// <summary>
/// What the acknowledge function stores on the queue: the callback normalised, plus the raw body
/// for audit. Versioned so that a later app can still read messages an earlier one wrote.
/// </summary>
public sealed record CallbackEnvelope
{
    /// <summary>
    /// 1: the callback. 2: it also carries <see cref="SignedOrderReference"/>, which an app that reads
    /// only version 1 would ignore, storing without the order check; such an app refuses version 2.
    /// A build that meets a version above its own puts the message back for an instance of a newer build
    /// (<c>Processing.NewerEnvelopes</c>): raise the version whenever an older build must not read a message.
    /// </summary>
    public const int CurrentVersion = 2;

    public int Version { get; init; } = 1;

    /// <summary>Unique per received callback (not per payment): duplicates from PayEx get different ids.</summary>
    public required string Id { get; init; }

    public required CallbackShape Shape { get; init; }

    public string? PaymentOrder { get; init; }

    public long? PaymentOrderNumber { get; init; }

    /// <summary>The <c>paymentOrder.instrument</c> of payment order callbacks, as PayEx sent it.</summary>
    public string? Instrument { get; init; }

    public string? Payment { get; init; }

    public long? PaymentNumber { get; init; }

    public string? Transaction { get; init; }

    public long? TransactionNumber { get; init; }

    public string? OrderReference { get; init; }

    /// <summary>The order the callback URL was signed for; what PayEx returns must belong to it.</summary>
    public string? SignedOrderReference { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public required string RawBody { get; init; }

    /// <summary>
    /// What asked for the read: PayEx's callback (absent), or the app itself (a refresh, a scheduled check), which names
    /// the payment as it was last read. Only a callback starts tracking a payment. (An app that does not know it ignores it.)
    /// </summary>
    public ReadOrigin? Origin { get; init; }

    /// <summary>W3C trace context of the acknowledge, which every attempt to process the callback continues.</summary>
    public string? TraceParent { get; init; }

    public string? TraceState { get; init; }

    /// <summary>Absent until an attempt failed; replay starts it afresh.</summary>
    public RetryState? Retry { get; init; }

    /// <summary>The number of the processing attempt this delivery is: the failed attempts it carries, and this one.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int Attempt => (Retry?.Attempts ?? 0) + 1;

    /// <summary>
    /// Absent until a dead letter of the callback was replayed: how often, and when last, so that a replay that
    /// fails again is seen as such. (An app that does not know it ignores it, losing only the count.)
    /// </summary>
    public ReplayHistory? Replays { get; init; }
}

/// <summary>How often a callback's dead letter was replayed, and when last.</summary>
public sealed record ReplayHistory(int Count, DateTimeOffset LastAt);

/// <summary>Why the app reads a payment other than for PayEx's callback.</summary>
public enum ReadOrigin
{
    Refresh,
    Check,
}
