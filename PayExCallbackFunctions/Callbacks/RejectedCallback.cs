namespace PayExCallbackFunctions.Callbacks;

/// <summary>
/// A callback that passed authentication but not validation: kept (truncated) with the reason, so
/// that a format change by PayEx is noticed rather than silently lost.
/// </summary>
public sealed record RejectedCallback
{
    /// <summary>How much of a rejected body is kept.</summary>
    public const int MaxBodyBytes = 8 * 1024;

    public required string Id { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The HTTP status the caller was answered with.</summary>
    public required int Status { get; init; }

    public required string Reason { get; init; }

    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    public string? ClientAddress { get; init; }

    public string? ContentType { get; init; }

    /// <summary>The body's length as sent or read; at least this long when it was too large to read whole.</summary>
    public long BodyLength { get; init; }

    public ReadOnlyMemory<byte> Body { get; init; }
}
