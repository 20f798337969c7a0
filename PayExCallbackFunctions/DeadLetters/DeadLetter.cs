using System.Text.Json;
using System.Text.Json.Serialization;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.Retry;

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
        Errors = envelope.Retry?.Errors ?? [],
        Message = message ?? JsonSerializer.Serialize(envelope, AppJson.Context.CallbackEnvelope),
    };

    /// <summary>A queue message that is not a callback envelope: kept as it is, for the operator to read.</summary>
    public static DeadLetter Unreadable(string message, string messageId, DeadLetterOrigin origin, string reason, long dequeueCount, DateTimeOffset now) => new()
    {
        Id = $"message-{messageId}",
        Origin = origin,
        Reason = OutsideText.Neutralise(reason, Retry.Failure.MaxReasonChars),
        Attempts = (int)Math.Min(dequeueCount, int.MaxValue),
        DeadLetteredAt = now,
        Message = message,
    };
}

/// <summary>A page of dead letters; pass <see cref="Continuation"/> back for the next.</summary>
public sealed record DeadLetterPage(IReadOnlyList<DeadLetter> Items, string? Continuation, int? PoisonQueueMessages);

/// <summary>What replaying all dead letters did.</summary>
public sealed record ReplayAllResult(int Replayed, IReadOnlyList<ReplayFailure> Failed, bool More);

public sealed record ReplayFailure(string Id, string Reason);

/// <summary>What replaying one dead letter did; <see cref="Removed"/> is false if it failed again meanwhile and its new dead letter stays.</summary>
public sealed record ReplayResult(string Id, bool Replayed, bool Removed);
