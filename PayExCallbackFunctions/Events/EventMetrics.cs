using System.Diagnostics.Metrics;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Events;

/// <summary>Deliveries of events per sink, counted, and their lag from the change (meter <see cref="CallbackMetrics.MeterName"/>).</summary>
public sealed class EventMetrics
{
    public const string Delivered = "payex.events.delivered";
    public const string Failed = "payex.events.failed";
    public const string Undelivered = "payex.events.undelivered";
    public const string Lag = "payex.events.lag";

    public const string SinkTag = "event.sink";

    // Seconds: from well under a second (the normal case) to days (an endpoint down).
    private static readonly double[] LagBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400, 259200];

    private readonly Counter<long> _delivered;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _undelivered;
    private readonly Histogram<double> _lag;

    public EventMetrics(CallbackMetrics callbacks)
    {
        ArgumentNullException.ThrowIfNull(callbacks);
        _delivered = callbacks.Meter.CreateCounter<long>(Delivered, "{event}", "Events a sink took, by sink.");
        _failed = callbacks.Meter.CreateCounter<long>(Failed, "{attempt}", "Deliveries that failed and will be tried again, by sink.");
        _undelivered = callbacks.Meter.CreateCounter<long>(Undelivered, "{event}", "Events given up for a sink (retries ran out, or 410 Gone), by sink.");
        _lag = callbacks.Meter.CreateHistogram<double>(Lag, "s", "From an event's recording (its change) to its delivery, by sink.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBoundaries });
    }

    public void Took(string sink, TimeSpan lag)
    {
        var tag = Sink(sink);
        _delivered.Add(1, tag);
        _lag.Record(Math.Max(0, lag.TotalSeconds), tag);
    }

    public void FailedOnce(string sink) => _failed.Add(1, Sink(sink));

    public void GaveUp(string sink) => _undelivered.Add(1, Sink(sink));

    private static KeyValuePair<string, object?> Sink(string sink) => new(SinkTag, sink);
}
