namespace PayExCallbackFunctions.Retry;

/// <summary>
/// What a callback's envelope carries about its failed attempts: how many, since when, and the
/// last few errors, so that a dead letter tells its own story.
/// </summary>
public sealed record RetryState
{
    /// <summary>The errors kept; older ones are dropped.</summary>
    public const int MaxErrors = 5;

    /// <summary>Failed attempts so far.</summary>
    public int Attempts { get; init; }

    public DateTimeOffset? FirstFailedAt { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    public IReadOnlyList<RetryError> Errors { get; init; } = [];
}

/// <summary>One failed attempt.</summary>
public sealed record RetryError(int Attempt, DateTimeOffset At, FailureKind Kind, string Error);
