using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Retry;

/// <summary>When the next attempt of a callback that failed transiently is due, if any is left.</summary>
public sealed class RetrySchedule(IOptions<RetryOptions> options)
{
    private readonly RetryOptions _options = options.Value;

    public int MaxAttempts => _options.MaxAttempts;

    /// <summary>
    /// The delay after failed attempt <paramref name="attempt"/> (1 for the first), never shorter
    /// than PayEx's <paramref name="retryAfter"/>; null when no attempts are left.
    /// </summary>
    public TimeSpan? DelayAfter(int attempt, TimeSpan? retryAfter, double random)
    {
        if (attempt >= _options.MaxAttempts)
        {
            return null;
        }

        var delays = _options.Delays;
        var scheduled = delays[Math.Min(attempt, delays.Count) - 1];
        var delay = scheduled + scheduled * (_options.Jitter * random);
        if (retryAfter > delay)
        {
            delay = retryAfter.Value;
        }

        // The queue service hides messages for whole seconds: round up, never down to "now".
        delay = TimeSpan.FromSeconds(Math.Ceiling(delay.TotalSeconds));
        return delay > RetryOptions.MaxDelay ? RetryOptions.MaxDelay : delay;
    }

    /// <summary>The shortest time from the first attempt to the last, jitter aside.</summary>
    public TimeSpan Span()
    {
        var span = TimeSpan.Zero;
        for (var attempt = 1; attempt < _options.MaxAttempts; attempt++)
        {
            span += _options.Delays[Math.Min(attempt, _options.Delays.Count) - 1];
        }

        return span;
    }
}
