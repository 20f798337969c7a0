using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Telemetry;

/// <summary>
/// Reads the queue backlog every <c>Telemetry__QueueSampleSeconds</c> for the queue gauges: a gauge
/// is observed synchronously at export, so it reports the last reading rather than calling storage then.
/// </summary>
public sealed partial class QueueBacklogSampler : BackgroundService
{
    private readonly QueueBacklog _backlog;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<QueueBacklogSampler> _logger;
    private volatile QueueBacklogReading? _last;

    public QueueBacklogSampler(QueueBacklog backlog, CallbackMetrics metrics, IOptions<TelemetryOptions> options, TimeProvider time, ILogger<QueueBacklogSampler> logger)
    {
        _backlog = backlog;
        _time = time;
        _interval = TimeSpan.FromSeconds(options.Value.QueueSampleSeconds);
        _logger = logger;
        metrics.Meter.CreateObservableGauge(CallbackMetrics.QueueDepth, ObserveDepth, "{message}", "Messages waiting on the callback queue and on its poison queue (sampled).");
        metrics.Meter.CreateObservableGauge(CallbackMetrics.QueueOldestAge, ObserveOldestAge, "s", "Age of the oldest callback waiting to be processed (sampled).");
    }

    public QueueBacklogReading? Last => _last;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        do
        {
            try
            {
                _last = await _backlog.ReadAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // No reading is reported rather than an old one.
                _last = null;
                LogSampleFailed(_logger, e);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private IEnumerable<Measurement<long>> ObserveDepth()
    {
        if (_last is { } last)
        {
            yield return new Measurement<long>(last.Waiting, new KeyValuePair<string, object?>(TelemetryTags.Destination, _backlog.CallbackQueue));
            yield return new Measurement<long>(last.Poisoned, new KeyValuePair<string, object?>(TelemetryTags.Destination, _backlog.PoisonQueue));
        }
    }

    private IEnumerable<Measurement<double>> ObserveOldestAge()
    {
        if (_last is { } last)
        {
            yield return new Measurement<double>(last.OldestAge.TotalSeconds, new KeyValuePair<string, object?>(TelemetryTags.Destination, _backlog.CallbackQueue));
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not read the queue backlog for the queue gauges")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
