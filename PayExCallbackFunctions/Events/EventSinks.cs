using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// The sinks configured now: the queue (unless <c>Events__QueueEnabled</c> is false) and each webhook endpoint, by its
/// index. An event is pending for the sinks configured when it was recorded; a sink removed since is no longer waited for.
/// </summary>
public sealed class EventSinks
{
    public EventSinks(IOptions<EventsOptions> options, QueueSink queue, IHttpClientFactory http, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sinks = new List<IEventSink>();
        if (options.Value.QueueEnabled)
        {
            sinks.Add(queue);
        }

        sinks.AddRange(options.Value.Webhooks.Select((endpoint, i) => new WebhookSink(i, endpoint, http, time)));
        All = sinks;
    }

    /// <summary>For tests and other hosts: exactly these sinks.</summary>
    public EventSinks(IReadOnlyList<IEventSink> sinks) => All = sinks;

    public IReadOnlyList<IEventSink> All { get; }

    public IEventSink? Find(string key) => All.FirstOrDefault(s => s.Key == key);
}
