using Azure;

namespace PayExCallbackFunctions.DeadLetters;

/// <summary>
/// Discards a dead letter for good, from the admin API or the status page, and says so in the log: its
/// callback is then lost unless PayEx delivers it again. Not while a replay holds it, and, where the
/// caller says which version it saw, not if it changed since (a replay, or the callback failing again).
/// </summary>
public sealed partial class DeadLetterDiscard(DeadLetterTable deadLetters, TimeProvider time, ILogger<DeadLetterDiscard> logger)
{
    /// <summary>The dead letter discarded; null if there is none (any more).</summary>
    /// <param name="seen">The version the caller was shown (its ETag); null for whatever it is now.</param>
    /// <param name="channel">Where the discard was asked: "admin API", "status page".</param>
    /// <exception cref="DeadLetterReplayInProgressException">A replay holds it.</exception>
    /// <exception cref="DeadLetterChangedException">It is no longer the version the caller saw.</exception>
    public async Task<DeadLetter?> DiscardAsync(string id, ETag? seen, string channel, string? clientAddress, CancellationToken cancellationToken)
    {
        if (await deadLetters.GetAsync(id, cancellationToken) is not { } found)
        {
            return null;
        }

        var (deadLetter, etag) = found;

        if (deadLetter.IsBeingReplayed(time.GetUtcNow()))
        {
            throw new DeadLetterReplayInProgressException(
                $"Dead letter {id} is being replayed (since {deadLetter.ReplayClaimedAt:u}); it is not discarded. Look again once the replay is done.");
        }

        if ((seen is { } shown && shown != etag) || !await deadLetters.DeleteAsync(id, etag, cancellationToken))
        {
            if (await deadLetters.GetAsync(id, cancellationToken) is null)
            {
                return null;
            }

            throw new DeadLetterChangedException(
                $"Dead letter {id} changed since it was read (it was replayed, or its callback failed again); it is not discarded. Look at it again.");
        }

        LogDiscarded(logger, id, deadLetter.Origin, deadLetter.Payment ?? deadLetter.PaymentOrder, channel, clientAddress);
        return deadLetter;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter {CallbackId} ({Origin}, for {Resource}) was discarded through the {Channel}, asked from {ClientAddress}: its callback is not processed unless PayEx delivers it again")]
    private static partial void LogDiscarded(ILogger logger, string callbackId, DeadLetterOrigin origin, string? resource, string channel, string? clientAddress);
}

/// <summary>The dead letter is not the version the caller saw; nothing was discarded.</summary>
public sealed class DeadLetterChangedException : Exception
{
    public DeadLetterChangedException() { }

    public DeadLetterChangedException(string message) : base(message) { }

    public DeadLetterChangedException(string message, Exception inner) : base(message, inner) { }
}
