using System.Globalization;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Retry;

namespace PayExCallbackFunctions.Tracking;

/// <summary>How payments are checked with PayEx until they settle (section <c>Tracking</c>).</summary>
public sealed class TrackingOptions
{
    public const string Section = "Tracking";

    /// <summary>
    /// The setting the sweep's timer trigger reads its CRON schedule from (six fields, seconds first). Flat, as
    /// <c>PayExCallbackQueue</c> is: the platform's scale controller reads trigger settings and has failed on hierarchical names.
    /// </summary>
    public const string SweepScheduleSetting = "PayExTrackingSweep";

    /// <summary>
    /// Delays between checks, as comma-separated TimeSpans, counted from registration or from the payment's last change;
    /// the last repeats. A read of the payment for any other reason (a callback, a refresh) counts as a check.
    /// </summary>
    public string Schedule { get; set; } = "00:01:00, 00:05:00, 00:15:00, 01:00:00, 06:00:00, 1.00:00:00";

    /// <summary>A payment still pending this long after tracking began is no longer checked.</summary>
    public double MaxAgeDays { get; set; } = 7;

    /// <summary>
    /// A payment that can still change (amounts left to capture, cancel or reverse) is checked this long after its last
    /// change. PayEx's asynchronous reversals take up to 3 days.
    /// </summary>
    public double WatchDays { get; set; } = 7;

    /// <summary>The most checks begun per second, across all instances (one sweep runs at a time).</summary>
    public double ChecksPerSecond { get; set; } = 5;

    /// <summary>Checks under way at once within that rate (PayEx answering slowly must not slow the rate down).</summary>
    public int Concurrency { get; set; } = 8;

    public IReadOnlyList<TimeSpan> Delays => _delays ??= RetryOptions.ParseSchedule(Schedule) ?? [];

    public TimeSpan MaxAge => TimeSpan.FromDays(MaxAgeDays);

    public TimeSpan Watch => TimeSpan.FromDays(WatchDays);

    private IReadOnlyList<TimeSpan>? _delays;

    /// <summary>The days in words, for reasons shown to people ("7 days", "0.5 days").</summary>
    internal static string Days(double days) => string.Create(CultureInfo.InvariantCulture, $"{days:0.###} day{(days == 1 ? "" : "s")}");
}

public sealed class TrackingOptionsValidator(IConfiguration configuration) : IValidateOptions<TrackingOptions>
{
    public ValidateOptionsResult Validate(string? name, TrackingOptions options)
    {
        var failures = new List<string>();
        var delays = RetryOptions.ParseSchedule(options.Schedule);
        if (delays is null || delays.Count == 0)
        {
            failures.Add($"Tracking__Schedule '{options.Schedule}' must be a comma-separated list of TimeSpans such as 00:01:00, 00:05:00, 1.00:00:00.");
        }
        else if (delays.Any(d => d < TimeSpan.FromSeconds(1) || d > TimeSpan.FromDays(7)))
        {
            failures.Add("Tracking__Schedule's delays must each be at least 1 second and at most 7 days.");
        }

        if (double.IsNaN(options.MaxAgeDays) || options.MaxAgeDays is <= 0 or > 365)
        {
            failures.Add("Tracking__MaxAgeDays must be more than 0 and at most 365.");
        }

        if (double.IsNaN(options.WatchDays) || options.WatchDays is < 0 or > 365)
        {
            failures.Add("Tracking__WatchDays must be between 0 and 365.");
        }

        if (double.IsNaN(options.ChecksPerSecond) || options.ChecksPerSecond is < 0.01 or > 1000)
        {
            failures.Add("Tracking__ChecksPerSecond must be between 0.01 and 1000.");
        }

        if (options.Concurrency is < 1 or > 64)
        {
            failures.Add("Tracking__Concurrency must be between 1 and 64.");
        }

        if (string.IsNullOrWhiteSpace(configuration[TrackingOptions.SweepScheduleSetting]))
        {
            // Else the host could not bind the sweep's timer and nothing would be checked.
            failures.Add($"{TrackingOptions.SweepScheduleSetting} must be set to a CRON schedule with seconds, such as */30 * * * * *: the sweep's timer trigger reads it.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
