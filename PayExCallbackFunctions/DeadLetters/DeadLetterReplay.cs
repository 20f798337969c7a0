using PayExCallbackFunctions.Processing;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.DeadLetters;

/// <summary>
/// Puts dead letters back on the callback queue with a fresh attempt count. A replay first claims the dead
/// letter (one of concurrent replays wins, the others refuse), then enqueues it, then removes it, only if it
/// did not change meanwhile (if the replayed callback already failed again, the new dead letter stays).
/// </summary>
public sealed partial class DeadLetterReplay(DeadLetterTable deadLetters, CallbackQueue queue, TimeProvider time, ILogger<DeadLetterReplay> logger)
{
    /// <summary>Dead letters one replay-all call goes through, so that it answers in reasonable time.</summary>
    public const int MaxPerCall = 1000;

    /// <summary>How long a claim keeps other replays off: far longer than an enqueue takes, short enough for an operator to retry a replay that died.</summary>
    public static readonly TimeSpan ClaimHold = TimeSpan.FromMinutes(2);

    /// <summary>Null if there is no such dead letter.</summary>
    /// <exception cref="DeadLetterReplayInProgressException">Another replay of it is under way.</exception>
    public async Task<ReplayResult?> ReplayAsync(string id, CancellationToken cancellationToken)
    {
        if (await deadLetters.ClaimForReplayAsync(id, time.GetUtcNow(), ClaimHold, cancellationToken) is not { } claim)
        {
            return null;
        }

        var deadLetter = claim.DeadLetter;
        try
        {
            CallbackEnvelopeFor(deadLetter, out var envelope);
            // Attempts afresh; the replays counted on, so that a dead letter that fails again says it was replayed.
            var replays = new Callbacks.ReplayHistory((envelope.Replays?.Count ?? 0) + 1, time.GetUtcNow());
            await queue.EnqueueAsync(CallbackQueue.Encode(envelope with { Retry = null, Replays = replays }), TimeSpan.Zero, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // (Cancelled, the enqueue may have happened: the claim stays and lapses after its hold.)
            // Not on the queue: the dead letter stays, replayable at once rather than after the claim's hold.
            await ReleaseAsync(claim);
            if (e is CallbackTooLargeException)
            {
                throw new DeadLetterNotReplayableException($"Dead letter {deadLetter.Id} does not fit a queue message: {e.Message}", e);
            }

            throw;
        }

        var removed = await deadLetters.DeleteAsync(id, claim.ETag, cancellationToken);
        LogReplayed(logger, id, deadLetter.Origin);
        return new ReplayResult(id, Replayed: true, removed);
    }

    private async Task ReleaseAsync(ReplayClaim claim)
    {
        try
        {
            // Not the caller's token: a cancelled request must still release what it claimed.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await deadLetters.ReleaseAsync(claim, timeout.Token);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or OperationCanceledException)
        {
            LogReleaseFailed(logger, claim.DeadLetter.Id, ClaimHold.TotalMinutes);
        }
    }

    public async Task<ReplayAllResult> ReplayAllAsync(CancellationToken cancellationToken)
    {
        var replayed = 0;
        var failed = new List<ReplayFailure>();
        string? continuation = null;
        var seen = 0;
        do
        {
            var (items, next) = await deadLetters.ListAsync(100, continuation, cancellationToken);
            continuation = next;
            foreach (var item in items)
            {
                seen++;
                try
                {
                    if (await ReplayAsync(item.Id, cancellationToken) is not null)
                    {
                        replayed++;
                    }
                }
                catch (Exception e) when (e is DeadLetterNotReplayableException or DeadLetterReplayInProgressException)
                {
                    failed.Add(new ReplayFailure(item.Id, e.Message));
                }
            }
        }
        while (continuation is not null && seen < MaxPerCall);

        return new ReplayAllResult(replayed, failed, More: continuation is not null);
    }

    private static void CallbackEnvelopeFor(DeadLetter deadLetter, out Callbacks.CallbackEnvelope envelope)
    {
        try
        {
            envelope = CallbackMessage.Read(deadLetter.Message ?? "");
        }
        catch (InvalidCallbackMessageException e)
        {
            throw new DeadLetterNotReplayableException($"Dead letter {deadLetter.Id} holds no callback envelope to replay: {e.Message}", e);
        }
        catch (NewerCallbackEnvelopeException e)
        {
            throw new DeadLetterNotReplayableException($"Dead letter {deadLetter.Id} was written by a newer build: {e.Message} Replay it from an instance of that build.", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replay of dead letter {CallbackId} failed and its claim could not be released: it can be replayed again in {Minutes} minutes")]
    private static partial void LogReleaseFailed(ILogger logger, string callbackId, double minutes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed dead letter {CallbackId} ({Origin}): it is back on the callback queue")]
    private static partial void LogReplayed(ILogger logger, string callbackId, DeadLetterOrigin origin);
}

/// <summary>The dead letter holds a message that is no callback envelope; it can only be read and discarded.</summary>
public sealed class DeadLetterNotReplayableException : Exception
{
    public DeadLetterNotReplayableException() { }

    public DeadLetterNotReplayableException(string message) : base(message) { }

    public DeadLetterNotReplayableException(string message, Exception inner) : base(message, inner) { }
}
