using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.Tracking;

namespace PayExCallbackFunctions.Functions;

/// <summary>
/// Works off the tracked payments' checks that are due, on the schedule the setting names, after relaying the events
/// their changes' own delivery left. A timer trigger runs on one instance at a time (the host holds a lock for it),
/// which makes the checks' rate limit the app's.
/// </summary>
public sealed class SweepPayExChecks(Events.EventRelay relay, TrackingSweep sweep)
{
    [Function(nameof(SweepPayExChecks))]
    public async Task RunAsync([TimerTrigger($"%{TrackingOptions.SweepScheduleSetting}%")] TimerInfo timer, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await relay.RunAsync(context.CancellationToken);
        await sweep.RunAsync(context.CancellationToken);
    }
}
