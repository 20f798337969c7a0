using System.Threading.Channels;
using Azure;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// Delivers a changed payment's events in the background, right after its commit, so that the callback's (or check's)
/// invocation ends without waiting for any sink: an endpoint that answers slowly or not at all holds back no callback
/// and no other payment. Several workers deliver at once (a payment's sinks side by side, in its order). A delivery that
/// leaves nothing removes the payment's mark if nothing marked it since the writer did, so the relay reads mostly what
/// failed or was cut off. What an instance does not get to (stopped, or more waiting than <see cref="Capacity"/>) the
/// relay delivers from its mark.
/// </summary>
public sealed partial class EventDispatch(EventDelivery delivery, PendingEvents pending, ILogger<EventDispatch> logger) : BackgroundService
{
    public const int Capacity = 10_000;

    /// <summary>Payments delivered at once on an instance.</summary>
    public const int Workers = 32;

    private readonly Channel<(Guid Payment, ETag? Mark)> _payments = Channel.CreateBounded<(Guid, ETag?)>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Queues the payment's delivery, with the ETag of the mark its writer made (<see cref="PendingEvents.MarkAsync"/>); never waits.</summary>
    public void Deliver(Guid payment, ETag? mark)
    {
        if (!_payments.Writer.TryWrite((payment, mark)))
        {
            LogFull(logger, payment, Capacity);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => WorkAsync(stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (payment, mark) in _payments.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await DeliverAsync(payment, mark, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // Storage failing: the payment's mark stays, and the relay delivers.
                    LogFailed(logger, e, payment);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is left is the relay's.
        }
    }

    /// <summary>Delivers the payment's events now; if that left nothing, removes its mark unless marked again since <paramref name="mark"/>.</summary>
    public async Task<DeliveryResult> DeliverAsync(Guid payment, ETag? mark, CancellationToken cancellationToken)
    {
        // Handed to a delivery under way (Left): it reads once more, after this commit, but its outcome is not this
        // caller's to know, so the mark stays for the relay.
        var result = await delivery.DeliverAsync(payment, cancellationToken);
        if (!result.Left && mark is { } etag)
        {
            await pending.ClearAsync(payment, etag, cancellationToken);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The events of payment {PaymentKey} were recorded and not delivered yet; the relay will deliver them")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid paymentKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The events of payment {PaymentKey} are left to the relay: {Capacity} payments already wait for delivery on this instance")]
    private static partial void LogFull(ILogger logger, Guid paymentKey, int capacity);
}
