namespace PayExCallbackFunctions.Events;

/// <summary>
/// Somewhere the order system takes events from. A third kind (Event Grid, Service Bus) is one more class: delivery,
/// retries, order and dead letters are <see cref="EventDelivery"/>'s, per <see cref="Key"/>.
/// </summary>
public interface IEventSink
{
    /// <summary>Names the sink in the event rows' columns and in undelivered events: <c>Queue</c>, <c>Webhook0</c>. Letters and digits.</summary>
    string Key { get; }

    /// <summary>For people: what and where, without secrets or query strings.</summary>
    string Description { get; }

    /// <summary>Sends one event; a failure is an answer, not an exception, unless <paramref name="cancellationToken"/> ends.</summary>
    Task<SendOutcome> SendAsync(RecordedEvent recorded, CancellationToken cancellationToken);
}

/// <summary>An event as recorded: its id, the payment's version it is, and the CloudEvents JSON.</summary>
public sealed record RecordedEvent(string Id, long Version, string Document);

/// <summary>
/// What a sink said: delivered, or not and why (bounded, neutralised text), with the wait the receiver asked for
/// (<c>Retry-After</c>), or that it will never take it (<c>410 Gone</c>: no retries).
/// </summary>
public sealed record SendOutcome(bool Delivered, string? Error = null, TimeSpan? RetryAfter = null, bool Gone = false)
{
    public static readonly SendOutcome Done = new(true);

    public static SendOutcome Failed(string error, TimeSpan? retryAfter = null, bool gone = false) =>
        new(false, OutsideText.Neutralise(error, 300), retryAfter, gone);
}
