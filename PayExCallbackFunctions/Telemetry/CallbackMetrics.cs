using System.Diagnostics;
using System.Diagnostics.Metrics;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Retry;

namespace PayExCallbackFunctions.Telemetry;

/// <summary>What happened to callbacks, counted; the workbook's charts read these.</summary>
public sealed class CallbackMetrics
{
    public const string MeterName = "PayExCallbackFunctions";

    public const string Received = "payex.callbacks.received";
    public const string Rejected = "payex.callbacks.rejected";
    public const string Processed = "payex.callbacks.processed";
    public const string Retries = "payex.callbacks.retries";
    public const string DeadLetters = "payex.callbacks.dead_letters";
    public const string Lag = "payex.callbacks.lag";
    public const string PayExDuration = "payex.api.duration";
    public const string QueueDepth = "payex.callbacks.queue.depth";
    public const string QueueOldestAge = "payex.callbacks.queue.oldest_age";
    public const string StatusChanges = "payex.payments.status_changes";

    // Seconds, with boundaries for both a quick PayEx answer and a callback that waited for its retries.
    private static readonly double[] LagBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400];
    private static readonly double[] PayExBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Counter<long> _received;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _processed;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _deadLetters;
    private readonly Histogram<double> _lag;
    private readonly Histogram<double> _payEx;
    private readonly Counter<long> _statusChanges;

    public CallbackMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _received = Meter.CreateCounter<long>(Received, "{callback}", "Callbacks received, by shape and outcome (acknowledged, rejected, unavailable).");
        _rejected = Meter.CreateCounter<long>(Rejected, "{callback}", "Callbacks refused for their content, by status and reason.");
        _processed = Meter.CreateCounter<long>(Processed, "{callback}", "Processing attempts, by shape and outcome (processed, retried, dead_lettered).");
        _retries = Meter.CreateCounter<long>(Retries, "{retry}", "Failed attempts put back on the queue for a later try.");
        _deadLetters = Meter.CreateCounter<long>(DeadLetters, "{callback}", "Callbacks dead-lettered, by origin (Permanent, Exhausted, Poison).");
        _lag = Meter.CreateHistogram(Lag, "s", "From receipt of the callback to its state stored.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBoundaries });
        _statusChanges = Meter.CreateCounter<long>(StatusChanges, "{change}", "New versions of payments' statuses, by the status they now have.");
        _payEx = Meter.CreateHistogram(PayExDuration, "s", "PayEx GETs, retries included, by resource and status.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = PayExBoundaries });
    }

    /// <summary>For the gauges sampled elsewhere.</summary>
    public Meter Meter { get; }

    public void CallbackReceived(CallbackShape? shape, string outcome) =>
        _received.Add(1, new(TelemetryTags.CallbackShape, shape?.ToString() ?? TelemetryTags.UnknownShape), new(TelemetryTags.CallbackOutcome, outcome));

    public void CallbackRejected(int status, string rejection) =>
        _rejected.Add(1, new(TelemetryTags.StatusCode, status), new(TelemetryTags.CallbackRejection, rejection));

    public void CallbackProcessed(CallbackShape? shape, string outcome) =>
        _processed.Add(1, new(TelemetryTags.CallbackShape, shape?.ToString() ?? TelemetryTags.UnknownShape), new(TelemetryTags.CallbackOutcome, outcome));

    public void RetryScheduled(FailureKind kind) => _retries.Add(1, new KeyValuePair<string, object?>(TelemetryTags.FailureKind, kind.ToString()));

    public void DeadLettered(DeadLetterOrigin origin) => _deadLetters.Add(1, new KeyValuePair<string, object?>(TelemetryTags.DeadLetterOrigin, origin.ToString()));

    public void Stored(CallbackShape shape, TimeSpan lag) =>
        _lag.Record(Math.Max(0, lag.TotalSeconds), new KeyValuePair<string, object?>(TelemetryTags.CallbackShape, shape.ToString()));

    public void StatusChanged(string status) => _statusChanges.Add(1, new KeyValuePair<string, object?>(TelemetryTags.PaymentStatus, status));

    public void PayExAnswered(PayExResourceKind kind, TimeSpan duration, int? status, string? error)
    {
        var tags = new TagList { { TelemetryTags.PayExResource, TelemetryTags.ResourceName(kind) } };
        if (status is not null)
        {
            tags.Add(TelemetryTags.StatusCode, status.Value);
        }

        if (error is not null)
        {
            tags.Add(TelemetryTags.ErrorType, error);
        }

        _payEx.Record(duration.TotalSeconds, tags);
    }
}
