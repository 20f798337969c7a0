using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// Delivers what the immediate delivery after a change left (a crash between the commit and the send, a sink failing):
/// the payments marked in <see cref="PendingEvents"/> that are due, several at a time, each delivered again; its mark is
/// removed once nothing is left, or says when to come back. Run by the sweep's timer; it heals and it retries.
/// </summary>
public sealed partial class EventRelay(PendingEvents pending, EventDelivery delivery, IOptions<EventsOptions> options, TimeProvider time, ILogger<EventRelay> logger)
{
    /// <summary>Payments relayed per run at most; the rest, at the next.</summary>
    private const int MaxPerRun = 500;

    /// <summary>Payments delivered at once: a slow endpoint holds one of these, not the run.</summary>
    private const int Concurrency = 16;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var due = await pending.DueAsync(now - options.Value.RelayAfter, now, MaxPerRun, cancellationToken);
        var delivered = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (mark, token) =>
        {
            try
            {
                var result = await delivery.DeliverAsync(mark.Payment, token);
                Interlocked.Add(ref delivered, result.Delivered);
                if (!result.Left)
                {
                    await pending.ClearAsync(mark, token);
                }
                else if (result.RetryAt is { } retryAt)
                {
                    await pending.DeferAsync(mark, retryAt, result.Waiting, token);
                }
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                // Storage failing: the mark stays for the next run.
                LogFailed(logger, e, mark.Payment);
            }
        });

        if (delivered > 0)
        {
            LogRelayed(logger, delivered);
        }

        return delivered;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The relay delivered {Count} events that their changes' own delivery had left or was retrying")]
    private static partial void LogRelayed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The relay could not deliver the events of payment {PaymentKey}; it tries again at its next run")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid paymentKey);
}
