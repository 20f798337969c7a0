using System.Diagnostics.Metrics;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Tracking;

/// <summary>
/// Reads <see cref="TrackingCounts"/> every <see cref="Interval"/> for the tracking gauges (a gauge is observed at export,
/// so it reports the last reading). Every instance samples; the gauges are the same on each.
/// </summary>
public sealed partial class TrackingSampler : BackgroundService
{
    public const string Payments = "payex.tracking.payments";
    public const string Due = "payex.tracking.checks.due";
    public const string Overdue = "payex.tracking.checks.overdue";
    public const string EndedUnsettled = "payex.tracking.ended_unsettled";

    /// <summary>A reading reads every reminder: seldom enough to cost little with many payments tracked.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <summary>Reminders read at most per reading.</summary>
    private const int Limit = 1_000_000;

    private readonly TrackingCounts _counts;
    private readonly TimeProvider _time;
    private readonly ILogger<TrackingSampler> _logger;
    private volatile TrackingReading? _last;

    public TrackingSampler(TrackingCounts counts, CallbackMetrics metrics, TimeProvider time, ILogger<TrackingSampler> logger)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _counts = counts;
        _time = time;
        _logger = logger;
        metrics.Meter.CreateObservableGauge(Payments, () => Observe(r => r.Checks.Scheduled), "{payment}", "Payments tracked: checks scheduled (sampled).");
        metrics.Meter.CreateObservableGauge(Due, () => Observe(r => r.Checks.Due), "{check}", "Checks due now (sampled).");
        metrics.Meter.CreateObservableGauge(Overdue, () => Observe(r => r.Checks.Overdue), "{check}", "Checks due for more than 5 minutes (sampled): the sweep is not keeping up or not running.");
        metrics.Meter.CreateObservableGauge(EndedUnsettled, () => Observe(r => r.EndedUnsettled), "{payment}", "Payments whose tracking ended without a final status (sampled).");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        do
        {
            try
            {
                _last = await _counts.ReadAsync(Limit, 0, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Storage failing: the gauges go quiet until the next reading.
                _last = null;
                LogFailed(_logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private IEnumerable<Measurement<long>> Observe(Func<TrackingReading, int> value) =>
        _last is { } last ? [new Measurement<long>(value(last))] : [];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not count the tracked payments for the tracking gauges")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
