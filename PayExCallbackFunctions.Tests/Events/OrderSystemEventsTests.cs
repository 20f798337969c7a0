using PayExCallbackFunctions.OrderSystem.Orders;
using PayExCallbackFunctions.Tests.Api;
using PayExCallbackFunctions.Tests.Infrastructure;
using PayExCallbackFunctions.Tests.Tracking;

namespace PayExCallbackFunctions.Tests.Events;

/// <summary>
/// The app under the host delivering its events, signed, to the sample order system on loopback (the real receiver, as a
/// merchant would run it): each change applied once and in order, one receipt per capture, whatever PayEx repeats or
/// reorders, whether callbacks or tracking's checks find the changes. Tracking's sweep (and so the relay) runs every second.
/// </summary>
public sealed class OrderSystemApp : IAsyncLifetime
{
    public OrderSystemHost Orders { get; private set; } = null!;

    public RunningApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Orders = await OrderSystemHost.StartAsync();
        App = await RunningApp.StartAsync(settings =>
        {
            foreach (var (key, value) in TrackingApp.Settings(stepSeconds: 2, checksPerSecond: 100))
            {
                settings[key] = value;
            }

            settings["Events__Webhooks__0__Url"] = Orders.WebhookUrl.ToString();
            settings["Events__Webhooks__0__Secret"] = Orders.Secret;
            settings["Events__AllowPrivateNetworks"] = "true";
        });
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (Orders is not null)
        {
            await Orders.DisposeAsync();
        }
    }
}

public class OrderSystemEventsTests(OrderSystemApp fixture) : IClassFixture<OrderSystemApp>
{
    [Fact]
    public async Task Authorized_captured_and_partly_reversed_by_callbacks_repeated_and_reordered_is_three_events_applied_once_and_one_receipt()
    {
        var app = fixture.App;
        var order = await app.PayEx.CreatePaymentAsync("v3.1", amount: 1500, orderReference: "sample-1");

        var authorize = await app.StepAndPostAsync(order.Id, "authorize");
        await app.WaitForStatusAsync(order.Id, "authorized");
        var capture = await app.StepAndPostAsync(order.Id, "capture", 1500);
        await app.WaitForStatusAsync(order.Id, "captured", version: 2);
        // PayEx repeats and reorders: the authorization's callback again, the capture's twice.
        await app.PostCallbackAsync(authorize.Callback);
        await app.PostCallbackAsync(capture.Callback);
        await app.StepAndPostAsync(order.Id, "reverse", 500);
        await app.PostCallbackAsync(capture.Callback);
        await app.PostCallbackAsync(authorize.Callback);
        await app.WaitForStatusAsync(order.Id, "partially_reversed", version: 3);

        var applied = await Eventually.GetAsync(
            async () => await fixture.Orders.OrderAsync(order.Id) is { Sequence: 3 } o ? o : null,
            "the order system to apply the third event");

        Assert.Equal((OrderStates.Refunded, 1500L, 500L, "sample-1"), (applied.State, applied.CapturedAmount, applied.ReversedAmount, applied.OrderReference));
        Assert.Equal([$"{order.Id:D}-v1", $"{order.Id:D}-v2", $"{order.Id:D}-v3"], applied.AppliedEventIds);
        var receipt = Assert.Single(await fixture.Orders.ReceiptsAsync(), r => r.Payment == order.Id);
        Assert.Equal(($"{order.Id:D}-v2", 1500L), (receipt.EventId, receipt.Captured));
        // The app recorded exactly three events, and marks each delivered (after the order system's 2xx came back).
        var events = await Eventually.GetAsync(async () =>
        {
            var rows = (await app.Storage.RowsAsync(order.Id)).Where(r => r.RowKey.StartsWith("event-", StringComparison.Ordinal)).ToList();
            return rows.All(e => e.GetBoolean("PendingWebhook0") == false) ? rows : null;
        }, "the events to be marked delivered");
        Assert.Equal(3, events.Count);
    }

    [Fact]
    public async Task A_change_delivered_right_after_its_commit_leaves_no_mark_for_the_relay()
    {
        var app = fixture.App;
        var order = await app.PayEx.CreatePaymentAsync("v3.1", amount: 1500, orderReference: "sample-3");

        await app.StepAndPostAsync(order.Id, "authorize");
        await Eventually.GetAsync(async () => await fixture.Orders.OrderAsync(order.Id) is { Sequence: 1 } o ? o : null, "the order system to apply the event");

        // The relay takes a mark only after Events__RelayAfterSeconds (120 here): gone well before, it was the delivery's doing.
        await Eventually.TrueAsync(
            async () => !(await app.Storage.Checks.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(PayExCallbackFunctions.Events.PendingEvents.Partition, order.Id.ToString("D"))).HasValue,
            "the payment's mark to be removed",
            TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task The_same_payment_followed_by_tracking_checks_without_callbacks_is_three_events_applied_once_and_one_receipt()
    {
        var app = fixture.App;
        var order = await app.PayEx.CreatePaymentAsync("v3.1", amount: 1500, orderReference: "sample-2");
        var (code, _) = await app.RegisterAsync(new { paymentOrder = order.PaymentOrder, orderReference = "sample-2" });
        Assert.Equal(System.Net.HttpStatusCode.Created, code);

        await app.PayEx.StepAsync(order.Id, "authorize");
        await app.WaitForStatusAsync(order.Id, "authorized");
        await app.PayEx.StepAsync(order.Id, "capture", 1500);
        await app.WaitForStatusAsync(order.Id, "captured", version: 2);
        await app.PayEx.StepAsync(order.Id, "reverse", 500);
        await app.WaitForStatusAsync(order.Id, "partially_reversed", version: 3);

        var applied = await Eventually.GetAsync(
            async () => await fixture.Orders.OrderAsync(order.Id) is { Sequence: 3 } o ? o : null,
            "the order system to apply the third event");

        Assert.Equal(OrderStates.Refunded, applied.State);
        Assert.Equal([$"{order.Id:D}-v1", $"{order.Id:D}-v2", $"{order.Id:D}-v3"], applied.AppliedEventIds);
        Assert.Single(await fixture.Orders.ReceiptsAsync(), r => r.Payment == order.Id);
        Assert.DoesNotContain(app.PayEx.State.Requests, r => r.Method == "POST" && r.PathAndQuery.Contains("callbacks", StringComparison.Ordinal));
    }
}
