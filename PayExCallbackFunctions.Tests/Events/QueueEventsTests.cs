using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Tests.Api;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Events;

/// <summary>
/// Events on the order system's queue under the host: each change of a payment's status one message, base64 CloudEvents
/// JSON, in order, right after the change; a repeated or late callback none. The fixture is shared: each test has its own payment.
/// </summary>
public class QueueEventsTests(RunningApp fixture) : IClassFixture<RunningApp>
{
    [Fact]
    public async Task Each_change_is_one_event_on_the_queue_in_order_and_a_repeated_callback_makes_none()
    {
        var order = await fixture.PayEx.CreatePaymentAsync("v3.1", amount: 1500, orderReference: "events-1");

        // Each step read before the next (a callback reads PayEx as it is when it is processed).
        var authorize = await fixture.StepAndPostAsync(order.Id, "authorize");
        await fixture.WaitForStatusAsync(order.Id, "authorized");
        await fixture.StepAndPostAsync(order.Id, "capture", 1500);
        // PayEx sends the authorization's callback again, late: nothing changes, no event.
        using (var again = await fixture.PostCallbackAsync(authorize.Callback))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, again.StatusCode);
        }

        await fixture.WaitForStatusAsync(order.Id, "captured", version: 2);
        await Eventually.TrueAsync(async () => (await EventsOfAsync(order.Id)).Count >= 2, "two events on the queue");
        var events = await EventsOfAsync(order.Id);

        Assert.Equal(["payment.authorized", "payment.captured"], events.Select(e => e["type"]!.GetValue<string>()));
        Assert.Equal(["0000000001", "0000000002"], events.Select(e => e["sequence"]!.GetValue<string>()));
        Assert.Equal([$"{order.Id:D}-v1", $"{order.Id:D}-v2"], events.Select(e => e["id"]!.GetValue<string>()));
        Assert.All(events, e => Assert.Equal(("1.0", order.Id.ToString("D"), "callback"), (e["specversion"]!.GetValue<string>(), e["subject"]!.GetValue<string>(), e["data"]!["detectedBy"]!.GetValue<string>())));
        Assert.Equal(("authorized", "captured", 1500L), (events[1]["data"]!["previousStatus"]!.GetValue<string>(), events[1]["data"]!["status"]!.GetValue<string>(), events[1]["data"]!["snapshot"]!["capturedAmount"]!.GetValue<long>()));
        Assert.Equal("events-1", events[0]["data"]!["snapshot"]!["orderReference"]!.GetValue<string>());
    }

    /// <summary>The events about <paramref name="payment"/> on the queue (peeked, left there), in queue order.</summary>
    private async Task<List<JsonNode>> EventsOfAsync(Guid payment)
    {
        if (!await fixture.Storage.Events.ExistsAsync())
        {
            return [];
        }

        var peeked = await fixture.Storage.Events.PeekMessagesAsync(32);
        return peeked.Value
            .Select(m => JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString())))!)
            .Where(e => e["subject"]?.GetValue<string>() == payment.ToString("D"))
            .ToList();
    }
}
