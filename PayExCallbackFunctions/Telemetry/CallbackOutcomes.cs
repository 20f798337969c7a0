using PayExCallbackFunctions.Retry;

namespace PayExCallbackFunctions.Telemetry;

/// <summary>The values of <c>callback.outcome</c>.</summary>
public static class CallbackOutcomes
{
    public const string Acknowledged = "acknowledged";
    public const string Rejected = "rejected";
    public const string Unavailable = "unavailable";
    public const string Processed = "processed";
    public const string Retried = "retried";
    public const string DeadLettered = "dead_lettered";

    /// <summary>Neither stored, retried nor dead-lettered (storage failed too): left to the queue trigger's own retries.</summary>
    public const string Failed = "failed";

    public static string Of(ProcessOutcome outcome) => outcome switch
    {
        ProcessOutcome.Processed => Processed,
        ProcessOutcome.Retried => Retried,
        _ => DeadLettered,
    };
}

/// <summary>The values of <c>callback.rejection</c>: why a callback's content was refused.</summary>
public static class CallbackRejections
{
    public const string Unreadable = "unreadable";
    public const string MediaType = "media_type";
    public const string TooLarge = "too_large";
    public const string Invalid = "invalid";
}
