using PayExCallbackFunctions.Processing;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.DeadLetters;

/// <summary>
/// Puts dead letters back on the callback queue with a fresh attempt count. A dead letter is
/// removed only after its callback is on the queue, and only if it did not change meanwhile (if
/// the replayed callback already failed again, the new dead letter stays).
/// </summary>
public sealed partial class DeadLetterReplay(DeadLetterTable deadLetters, CallbackQueue queue, ILogger<DeadLetterReplay> logger)
{
    /// <summary>Dead letters one replay-all call goes through, so that it answers in reasonable time.</summary>
    public const int MaxPerCall = 1000;

    /// <summary>Null if there is no such dead letter.</summary>
    public async Task<ReplayResult?> ReplayAsync(string id, CancellationToken cancellationToken)
    {
        if (await deadLetters.GetAsync(id, cancellationToken) is not { } found)
        {
            return null;
        }

        var (deadLetter, etag) = found;
        CallbackEnvelopeFor(deadLetter, out var envelope);
        try
        {
            await queue.EnqueueAsync(queue.Encode(envelope with { Retry = null }), TimeSpan.Zero, cancellationToken);
        }
        catch (CallbackTooLargeException e)
        {
            throw new DeadLetterNotReplayableException($"Dead letter {deadLetter.Id} does not fit a queue message: {e.Message}", e);
        }

        var removed = await deadLetters.DeleteAsync(id, etag, cancellationToken);
        LogReplayed(logger, id, deadLetter.Origin);
        return new ReplayResult(id, Replayed: true, removed);
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
                catch (DeadLetterNotReplayableException e)
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
    }

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
