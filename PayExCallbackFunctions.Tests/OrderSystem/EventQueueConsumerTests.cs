using System.Text;
using Azure.Storage.Queues;
using PayExCallbackFunctions.OrderSystem.Orders;
using PayExCallbackFunctions.Tests.Infrastructure;
using static PayExCallbackFunctions.Tests.OrderSystem.PaymentEventsFixture;

namespace PayExCallbackFunctions.Tests.OrderSystem;

/// <summary>
/// The sample order system consuming an events queue of the test's own on the shared Azurite: each message (an event,
/// base64) is applied and then deleted; one that is not an event is deleted without applying anything.
/// </summary>
public class EventQueueConsumerTests
{
    [Fact]
    public async Task Events_on_the_queue_are_applied_and_their_messages_deleted()
    {
        var azurite = await Azurite.Shared;
        var queue = new QueueClient(azurite.ConnectionString, $"ev-{Guid.NewGuid():N}"[..30]);
        await queue.CreateAsync();
        try
        {
            var payment = Guid.NewGuid();
            foreach (var body in new[]
                     {
                         Event(payment, 1, "authorized"),
                         Event(payment, 2, "captured", "authorized", captured: 1500),
                         Event(payment, 2, "captured", "authorized", captured: 1500),
                     })
            {
                await queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(body)));
            }

            await using var orders = await OrderSystemHost.StartAsync(storageConnection: azurite.ConnectionString, queue: queue.Name);

            var order = await Eventually.GetAsync(
                async () => await orders.OrderAsync(payment) is { Sequence: 2 } o ? o : null, "the captured event applied from the queue");
            Assert.Equal(OrderStates.Captured, order.State);
            // Counted with the messages received and not yet deleted, which peeking does not see.
            await Eventually.TrueAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "the queue emptied");
            Assert.Equal(EventId(payment, 2), Assert.Single(await orders.ReceiptsAsync()).EventId);
        }
        finally
        {
            await queue.DeleteIfExistsAsync();
        }
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("bm90IGpzb24=")] // "not json"
    [InlineData("eyJzcGVjdmVyc2lvbiI6IjEuMCJ9")] // {"specversion":"1.0"}
    public async Task A_message_that_is_not_an_event_is_deleted_without_applying_anything(string message)
    {
        var azurite = await Azurite.Shared;
        var queue = new QueueClient(azurite.ConnectionString, $"ev-{Guid.NewGuid():N}"[..30]);
        await queue.CreateAsync();
        try
        {
            await queue.SendMessageAsync(message);
            await using var orders = await OrderSystemHost.StartAsync(storageConnection: azurite.ConnectionString, queue: queue.Name);

            await Eventually.TrueAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "the message deleted");

            Assert.Empty(await orders.OrdersAsync());
            Assert.Empty(await orders.ReceiptsAsync());
        }
        finally
        {
            await queue.DeleteIfExistsAsync();
        }
    }
}
