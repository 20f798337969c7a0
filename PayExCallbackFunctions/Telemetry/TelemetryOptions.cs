using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Telemetry;

public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Seconds between readings of the queue backlog for the queue gauges.</summary>
    [Range(1, 3600)]
    public int QueueSampleSeconds { get; set; } = 30;

    /// <summary>Callbacks the status page remembers (per instance, in memory).</summary>
    [Range(10, 10_000)]
    public int RecentCallbacks { get; set; } = 200;
}

[OptionsValidator]
public sealed partial class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>;
