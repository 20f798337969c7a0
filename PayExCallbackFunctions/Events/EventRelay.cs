namespace PayExCallbackFunctions.Events;

/// <summary>
/// Delivers what the immediate delivery after a change left (a crash between the commit and the send, the queue
/// failing): the payments marked in <see cref="PendingEvents"/> for longer than <see cref="Settled"/>, each delivered
/// again and its mark removed once nothing is left. Run by the sweep's timer; it only heals.
/// </summary>
public sealed partial class EventRelay(PendingEvents pending, EventDelivery delivery, TimeProvider time, ILogger<EventRelay> logger)
{
    /// <summary>Longer than any write of a payment takes: a mark this old has its events committed, or none coming.</summary>
    public static readonly TimeSpan Settled = TimeSpan.FromMinutes(2);

    /// <summary>Payments relayed per run at most; the rest, at the next.</summary>
    private const int MaxPerRun = 500;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var delivered = 0;
        foreach (var mark in await pending.OlderThanAsync(time.GetUtcNow() - Settled, MaxPerRun, cancellationToken))
        {
            try
            {
                delivered += await delivery.DeliverAsync(mark.Payment, cancellationToken);
                await pending.ClearAsync(mark, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Storage or the queue failing: the mark stays for the next run.
                LogFailed(logger, e, mark.Payment);
            }
        }

        if (delivered > 0)
        {
            LogRelayed(logger, delivered);
        }

        return delivered;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The relay delivered {Count} events that their changes' own delivery had left")]
    private static partial void LogRelayed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The relay could not deliver the events of payment {PaymentKey}; it tries again at its next run")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid paymentKey);
}
