using System.Globalization;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Retry;

/// <summary>The durable retry path's backoff (section <c>Retry</c>).</summary>
public sealed class RetryOptions
{
    public const string Section = "Retry";

    /// <summary>The longest a queue message can be hidden, so the longest one delay can be.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7);

    /// <summary>
    /// Delays before the 2nd, 3rd, ... attempt, as comma-separated TimeSpans; the last repeats.
    /// The default, with <see cref="MaxAttempts"/> 13, spreads the attempts over 80 hours.
    /// </summary>
    public string Schedule { get; set; } = "00:00:10, 00:01:00, 00:05:00, 00:30:00, 02:00:00, 06:00:00, 12:00:00";

    /// <summary>Attempts in all, the first included, before a callback is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 13;

    /// <summary>Each delay is lengthened by a random share of up to this much, so that a burst of failures does not come back as a burst.</summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>The delays <see cref="Schedule"/> names; empty when it does not parse.</summary>
    public IReadOnlyList<TimeSpan> Delays => _delays ??= ParseSchedule(Schedule) ?? [];

    private IReadOnlyList<TimeSpan>? _delays;

    internal static List<TimeSpan>? ParseSchedule(string? schedule)
    {
        var delays = new List<TimeSpan>();
        foreach (var part in (schedule ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TimeSpan.TryParse(part, CultureInfo.InvariantCulture, out var delay))
            {
                return null;
            }

            delays.Add(delay);
        }

        return delays;
    }
}

public sealed class RetryOptionsValidator : IValidateOptions<RetryOptions>
{
    public ValidateOptionsResult Validate(string? name, RetryOptions options)
    {
        var failures = new List<string>();
        var delays = RetryOptions.ParseSchedule(options.Schedule);
        if (delays is null || delays.Count == 0)
        {
            failures.Add($"Retry__Schedule '{options.Schedule}' must be a comma-separated list of TimeSpans such as 00:00:10, 00:01:00.");
        }
        else if (delays.Any(d => d < TimeSpan.FromSeconds(1) || d > RetryOptions.MaxDelay))
        {
            failures.Add("Retry__Schedule's delays must each be at least 1 second and at most 7 days (the queue hides messages for whole seconds, 7 days at most).");
        }

        if (options.MaxAttempts is < 1 or > 1000)
        {
            failures.Add("Retry__MaxAttempts must be between 1 and 1000.");
        }

        if (options.Jitter is < 0 or > 1 || double.IsNaN(options.Jitter))
        {
            failures.Add("Retry__Jitter must be between 0 and 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
