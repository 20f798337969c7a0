using Azure;
using Azure.Data.Tables;

namespace PayExCallbackFunctions.DeadLetters;

/// <summary>
/// A dead letter marked as being replayed, so that a second replay of it refuses instead of enqueueing it again.
/// <see cref="ETag"/> is the claimed row's; <see cref="Unclaimed"/> is the row as it was, to put back if the replay fails.
/// </summary>
public sealed record ReplayClaim(DeadLetter DeadLetter, ETag ETag, TableEntity Unclaimed);

/// <summary>Another replay of the dead letter is under way (or took it a moment ago); nothing was enqueued.</summary>
public sealed class DeadLetterReplayInProgressException : Exception
{
    public DeadLetterReplayInProgressException() { }

    public DeadLetterReplayInProgressException(string message) : base(message) { }

    public DeadLetterReplayInProgressException(string message, Exception inner) : base(message, inner) { }
}
