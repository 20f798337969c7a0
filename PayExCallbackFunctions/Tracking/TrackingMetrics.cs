using System.Diagnostics.Metrics;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Tracking;

/// <summary>Scheduled checks and their outcomes, and trackings ended, counted (meter <see cref="CallbackMetrics.MeterName"/>).</summary>
public sealed class TrackingMetrics
{
    public const string Checks = "payex.tracking.checks";
    public const string Ended = "payex.tracking.ended";

    private readonly Counter<long> _checks;
    private readonly Counter<long> _ended;

    public TrackingMetrics(CallbackMetrics callbacks)
    {
        ArgumentNullException.ThrowIfNull(callbacks);
        _checks = callbacks.Meter.CreateCounter<long>(Checks, "{check}", "Scheduled checks made, by outcome (Unchanged, Changed, Failed).");
        _ended = callbacks.Meter.CreateCounter<long>(Ended, "{payment}", "Payments no longer tracked, by whether their status was final (settled true) or not.");
    }

    public void Checked(CheckOutcome outcome) => _checks.Add(1, new KeyValuePair<string, object?>("check.outcome", outcome.ToString()));

    public void TrackingEnded(bool settled) => _ended.Add(1, new KeyValuePair<string, object?>("tracking.settled", settled));
}
