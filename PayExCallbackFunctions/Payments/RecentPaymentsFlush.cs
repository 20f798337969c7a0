namespace PayExCallbackFunctions.Payments;

/// <summary>Writes the recent payments noted in memory every <see cref="Interval"/>, and once more when the app stops.</summary>
public sealed class RecentPaymentsFlush(RecentPayments recent, TimeProvider time) : BackgroundService
{
    /// <summary>How late the status page may learn of a change: a second, as a person reloads it.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await recent.FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await recent.FlushAsync(cancellationToken);
    }
}
