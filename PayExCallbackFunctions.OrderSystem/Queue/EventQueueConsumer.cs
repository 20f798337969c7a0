using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using PayExCallbackFunctions.OrderSystem.Events;
using PayExCallbackFunctions.OrderSystem.Orders;

namespace PayExCallbackFunctions.OrderSystem.Queue;

/// <summary>
/// Consumes the events queue (each message an event, base64): applies each and deletes it only then; a message that
/// is not an event is logged and deleted; a failure to apply leaves the message to come back after its visibility
/// timeout. Polls again at once while there are messages, and backs off to <see cref="MaxIdleDelay"/> when there are none.
/// </summary>
public sealed class EventQueueConsumer(QueueClient queue, OrderBook orders, ILogger<EventQueueConsumer> logger) : BackgroundService
{
    public static readonly TimeSpan MaxIdleDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FirstIdleDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(30);
    private const int LoggedCharacters = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        var idle = FirstIdleDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] messages;
            try
            {
                messages = await queue.ReceiveMessagesAsync(maxMessages: 16, VisibilityTimeout, stoppingToken);
            }
            catch (Azure.RequestFailedException e)
            {
                logger.LogWarning(e, "Receiving from the events queue {Queue} failed; trying again", queue.Name);
                messages = [];
            }

            foreach (var message in messages)
            {
                try
                {
                    await HandleAsync(message, stoppingToken);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or Azure.RequestFailedException)
                {
                    // Not deleted: the message comes back after its visibility timeout and is applied then.
                    logger.LogError(e, "Queue message {MessageId} not applied; it comes back in {Timeout}", message.MessageId, VisibilityTimeout);
                }
            }

            // The pause paces polling, not business time: the system clock, whatever TimeProvider the app was given.
            idle = messages.Length > 0 ? FirstIdleDelay : TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, MaxIdleDelay.Ticks));
            if (messages.Length == 0)
            {
                await Task.Delay(idle, stoppingToken);
            }
        }
    }

    private async Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        var text = message.Body.ToString();
        var bytes = new byte[text.Length];
        ValidEvent? e = null;
        string? problem = "The message is not base64.";
        if (Convert.TryFromBase64String(text, bytes, out var length))
        {
            e = PaymentEvents.Parse(bytes.AsSpan(0, length), out problem);
        }

        if (e is null)
        {
            logger.LogWarning(
                "Deleted queue message {MessageId}, not an event to apply: {Problem} It began: {Text}",
                message.MessageId, problem, text.Length > LoggedCharacters ? text[..LoggedCharacters] : text);
        }
        else
        {
            // An exception escapes: the message is not deleted.
            await orders.ApplyAsync(e, cancellationToken);
        }

        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
    }
}
