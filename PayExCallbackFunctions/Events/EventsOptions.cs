using PayExCallbackFunctions.Retry;

namespace PayExCallbackFunctions.Events;

/// <summary>Where the payments' events go, and how hard the app tries (section <c>Events</c>).</summary>
public sealed class EventsOptions
{
    public const string Section = "Events";

    /// <summary>The Azure Storage queue the order system consumes (messages base64-encoded, as a Functions queue trigger reads by default).</summary>
    public string Queue { get; set; } = "payex-payment-events";

    /// <summary>False: no queue sink (an order system that takes webhooks only).</summary>
    public bool QueueEnabled { get; set; } = true;

    /// <summary>The HTTP endpoints each event is POSTed to, signed (<c>Events__Webhooks__0__Url</c>, <c>__Secret</c>, <c>__PreviousSecret</c>).</summary>
    public List<WebhookEndpoint> Webhooks { get; set; } = [];

    /// <summary>
    /// Delays between a failed delivery and the next attempt, as comma-separated TimeSpans; after the last, the event is
    /// undelivered (a dead letter for that sink). About 3 days 3 hours in all by default; the relay's runs round them up.
    /// </summary>
    public string RetrySchedule { get; set; } = "00:01:00, 00:05:00, 00:30:00, 02:00:00, 05:00:00, 10:00:00, 10:00:00, 1.00:00:00, 1.00:00:00";

    /// <summary>True: webhooks may target private, loopback and link-local addresses (an order system on the same network).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How old a payment's mark must be before the relay delivers what its own delivery left (longer than any write takes).</summary>
    public int RelayAfterSeconds { get; set; } = 120;

    public IReadOnlyList<TimeSpan> Delays => _delays ??= RetryOptions.ParseSchedule(RetrySchedule) ?? [];

    public TimeSpan RelayAfter => TimeSpan.FromSeconds(RelayAfterSeconds);

    private IReadOnlyList<TimeSpan>? _delays;
}

/// <summary>One webhook endpoint: where, and the secrets it is signed with (the previous one too, while the receiver rotates).</summary>
public sealed class WebhookEndpoint
{
    public string? Url { get; set; }

    public string? Secret { get; set; }

    public string? PreviousSecret { get; set; }
}
