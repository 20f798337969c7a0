using System.Text.Json;
using System.Text.Json.Serialization;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.Processing;
using PayExCallbackFunctions.Retry;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.DeadLetters;

public enum DeadLetterOrigin
{
    /// <summary>A failure no retry can cure: PayEx 404, a response that is not the resource, an unreadable message.</summary>
    Permanent,

    /// <summary>Transient failures until the retry schedule ran out.</summary>
    Exhausted,

    /// <summary>The queue trigger gave up on the message (a crash or a bug) and moved it to the poison queue.</summary>
    Poison,
}

/// <summary>A callback that could not be stored, as an operator sees it and can replay it.</summary>
public sealed record DeadLetter
{
    /// <summary>The callback's id, or <c>message-{queue message id}</c> for a message that is no callback envelope.</summary>
    public required string Id { get; init; }

    public required DeadLetterOrigin Origin { get; init; }

    public required string Reason { get; init; }

    public int Attempts { get; init; }

    public DateTimeOffset? FirstFailedAt { get; init; }

    public required DateTimeOffset DeadLetteredAt { get; init; }

    public DateTimeOffset? ReceivedAt { get; init; }

    public CallbackShape? Shape { get; init; }

    public string? PaymentOrder { get; init; }

    public string? Payment { get; init; }

    public string? Transaction { get; init; }

    /// <summary>The numbers the callback gave (a hint: what processing knew of them before it failed, not PayEx's word).</summary>
    public long? PaymentNumber { get; init; }

    public long? TransactionNumber { get; init; }

    /// <summary>The callback's <c>paymentOrder.number</c>: for v3.1 callbacks, the number of the payment attempt that triggered it.</summary>
    public long? PaymentOrderNumber { get; init; }

    /// <summary>How often the callback was replayed from a dead letter before it failed again (0: never).</summary>
    public int ReplayCount { get; init; }

    public DateTimeOffset? LastReplayedAt { get; init; }

    /// <summary>When a replay claimed it; it is being replayed if that is less than <see cref="DeadLetterReplay.ClaimHold"/> ago.</summary>
    public DateTimeOffset? ReplayClaimedAt { get; init; }

    public IReadOnlyList<RetryError> Errors { get; init; } = [];

    /// <summary>The queue message (the envelope as JSON): what a replay enqueues again. Left out of lists.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message { get; init; }

    /// <summary>A callback's dead letter; <paramref name="message"/> keeps the queue message as it came, else the envelope is written out.</summary>
    public static DeadLetter From(CallbackEnvelope envelope, DeadLetterOrigin origin, string reason, DateTimeOffset now, string? message = null) => new()
    {
        Id = envelope.Id,
        Origin = origin,
        Reason = OutsideText.Neutralise(reason, Retry.Failure.MaxReasonChars),
        Attempts = envelope.Retry?.Attempts ?? 0,
        FirstFailedAt = envelope.Retry?.FirstFailedAt,
        DeadLetteredAt = now,
        ReceivedAt = envelope.ReceivedAt,
        Shape = envelope.Shape,
        PaymentOrder = envelope.PaymentOrder,
        Payment = envelope.Payment,
        Transaction = envelope.Transaction,
        PaymentNumber = envelope.PaymentNumber,
        TransactionNumber = envelope.TransactionNumber,
        PaymentOrderNumber = envelope.PaymentOrderNumber,
        ReplayCount = envelope.Replays?.Count ?? 0,
        LastReplayedAt = envelope.Replays?.LastAt,
        Errors = envelope.Retry?.Errors ?? [],
        Message = message ?? JsonSerializer.Serialize(envelope, AppJson.Context.CallbackEnvelope),
    };

    /// <summary>Whether a replay holds it now: replaying or discarding it must wait.</summary>
    public bool IsBeingReplayed(DateTimeOffset now) => ReplayClaimedAt is { } claimedAt && now - claimedAt < DeadLetterReplay.ClaimHold;

    /// <summary>
    /// A queue message that is not a callback envelope, kept for the operator to read: its text as it came (decoded
    /// from base64 if it was), cut at the size of a queue message and neutralised, since anyone with the storage key
    /// can write it. A message that is not base64 was not written by this app, and its reason says so first.
    /// </summary>
    public static DeadLetter Unreadable(DeliveredMessage delivered, DeadLetterOrigin origin, string reason, DateTimeOffset now) => new()
    {
        Id = $"message-{delivered.MessageId}",
        Origin = origin,
        Reason = OutsideText.Neutralise(delivered.IsBase64 ? reason : $"{NotBase64} {reason}", Retry.Failure.MaxReasonChars),
        Attempts = (int)Math.Min(delivered.DequeueCount, int.MaxValue),
        DeadLetteredAt = now,
        Message = OutsideText.Neutralise(delivered.Text, CallbackQueue.MaxMessageBytes),
    };

    /// <summary>
    /// A callback envelope of a newer version than this build reads, kept exactly as it came (it is JSON that a newer
    /// build reads back in a replay, so it is neither cut nor escaped).
    /// </summary>
    public static DeadLetter OfNewerVersion(DeliveredMessage delivered, DeadLetterOrigin origin, string reason, DateTimeOffset now) => new()
    {
        Id = $"message-{delivered.MessageId}",
        Origin = origin,
        Reason = OutsideText.Neutralise(reason, Retry.Failure.MaxReasonChars),
        Attempts = (int)Math.Min(delivered.DequeueCount, int.MaxValue),
        DeadLetteredAt = now,
        Message = delivered.Text,
    };

    /// <summary>What the reason of a message that is not base64 starts with.</summary>
    public const string NotBase64 = "Not base64, so not a message this app wrote (it writes base64); kept as it came.";
}

/// <summary>A page of dead letters; pass <see cref="Continuation"/> back for the next.</summary>
public sealed record DeadLetterPage(IReadOnlyList<DeadLetter> Items, string? Continuation, int? PoisonQueueMessages);

/// <summary>What replaying all dead letters did.</summary>
public sealed record ReplayAllResult(int Replayed, IReadOnlyList<ReplayFailure> Failed, bool More);

public sealed record ReplayFailure(string Id, string Reason);

/// <summary>What replaying one dead letter did; <see cref="Removed"/> is false if it failed again meanwhile and its new dead letter stays.</summary>
public sealed record ReplayResult(string Id, bool Replayed, bool Removed);
