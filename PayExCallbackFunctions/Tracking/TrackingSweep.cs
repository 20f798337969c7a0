using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Payments;

namespace PayExCallbackFunctions.Tracking;

/// <summary>
/// Works off the checks due: reads the reminders due by now (<see cref="ScheduledChecks.DueAsync"/>, which reads
/// only them) and runs each, begun at most <see cref="TrackingOptions.ChecksPerSecond"/> a second as
/// <see cref="CheckPace"/> spreads them, so that a backlog (after an outage of ours) is not fired at once. One sweep
/// runs at a time across instances (the timer trigger is a singleton), so the rate is the app's. A sweep takes at
/// most <see cref="MaxDuration"/>; what it leaves is due for the next.
/// </summary>
public sealed partial class TrackingSweep(ScheduledChecks checks, PaymentCheck check, IOptions<TrackingOptions> options, TimeProvider time, ILogger<TrackingSweep> logger)
{
    public static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(4);

    public async Task<SweepResult> RunAsync(CancellationToken cancellationToken)
    {
        var start = time.GetUtcNow();
        var interval = TimeSpan.FromSeconds(1 / options.Value.ChecksPerSecond);
        var budget = Math.Max(1, (int)(MaxDuration / interval));
        var due = new List<ScheduledCheck>();
        await foreach (var reminder in checks.DueAsync(start, cancellationToken))
        {
            due.Add(reminder);
            if (due.Count >= budget)
            {
                break;
            }
        }

        var outcomes = new CheckOutcome[due.Count];
        using var slots = new SemaphoreSlim(options.Value.Concurrency);
        var running = new List<Task>(due.Count);
        var pace = new CheckPace(interval, start);
        for (var i = 0; i < due.Count; i++)
        {
            await slots.WaitAsync(cancellationToken);
            var wait = pace.Next(time.GetUtcNow()) - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken);
            }

            var index = i;
            running.Add(RunOneAsync(due[index], outcomes, index, slots, cancellationToken));
        }

        await Task.WhenAll(running);
        var result = new SweepResult(due.Count, outcomes.Count(o => o is CheckOutcome.Unchanged or CheckOutcome.Changed or CheckOutcome.Failed), due.Count >= budget);
        if (result.Due > 0)
        {
            LogSwept(logger, result.Due, result.Checked, (time.GetUtcNow() - start).TotalSeconds);
        }

        return result;
    }

    private async Task RunOneAsync(ScheduledCheck reminder, CheckOutcome[] outcomes, int index, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        try
        {
            outcomes[index] = await check.RunAsync(reminder, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Storage failing: the reminder stays where it is, and the next sweep finds it again.
            outcomes[index] = CheckOutcome.Postponed;
            LogReminderFailed(logger, e, reminder.Payment);
        }
        finally
        {
            slots.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Swept {Due} due checks of tracked payments, {Checked} of them made with PayEx, in {Seconds:F1} s")]
    private static partial void LogSwept(ILogger logger, int due, int @checked, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A due check of payment {PaymentKey} could not be worked off; it stays due")]
    private static partial void LogReminderFailed(ILogger logger, Exception exception, Guid paymentKey);
}

/// <summary>Reminders found due, checks made with PayEx, and whether more were due than one sweep takes.</summary>
public sealed record SweepResult(int Due, int Checked, bool More);
