using System.Text;
using Azure.Data.Tables;
using PayExCallbackFunctions.Events;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Tests.Infrastructure;
using PayExCallbackFunctions.Tests.Payments;

namespace PayExCallbackFunctions.Tests.Events;

/// <summary>
/// The outbox's relay against Azurite: changes committed with their events and never delivered (as when the instance
/// died between the commit and the send) reach the queue at the relay's next run, in order, once each; a payment whose
/// mark is new is left to its own delivery.
/// </summary>
public class EventRelayTests
{
    [Fact]
    public async Task Events_recorded_and_never_sent_are_delivered_by_the_relay_in_order_once_and_the_mark_goes()
    {
        await using var storage = await TestStorage.CreateAsync();
        using var parts = EventParts.Create(storage);
        using var writer = parts.Writer();
        var payment = Guid.NewGuid();
        // Two changes committed; the processor, which would have sent them, is not there: died after the commit.
        await writer.WriteAsync(new PaymentUpdate(payment, [], PaymentWriterTests.Step(1), PaymentApi.Payment, "test"), default);
        await writer.WriteAsync(new PaymentUpdate(payment, [], PaymentWriterTests.Step(2), PaymentApi.Payment, "test"), default);

        // A fresh mark: a write of the payment may still be under way; the relay leaves it.
        Assert.Equal(0, await parts.Relay.RunAsync(default));
        Assert.False(await storage.Events.ExistsAsync());

        parts.Time.Advance(TimeSpan.FromSeconds(new EventsOptions().RelayAfterSeconds + 1));
        Assert.Equal(2, await parts.Relay.RunAsync(default));
        // Nothing left and no mark: a second run sends nothing again.
        Assert.Equal(0, await parts.Relay.RunAsync(default));

        var messages = (await storage.Events.PeekMessagesAsync(32)).Value
            .Select(m => System.Text.Json.Nodes.JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString())))!)
            .ToList();
        Assert.Equal(["0000000001", "0000000002"], messages.Select(m => m["sequence"]!.GetValue<string>()));
        Assert.Empty(await storage.Checks.QueryAsync<TableEntity>(e => e.PartitionKey == PendingEvents.Partition).ToListAsync());
        Assert.All(
            (await storage.RowsAsync(payment)).Where(r => r.RowKey.StartsWith(EventRow.Prefix, StringComparison.Ordinal)),
            r => Assert.False(r.GetBoolean(EventRow.Pending(QueueSink.SinkKey))));
    }
}
