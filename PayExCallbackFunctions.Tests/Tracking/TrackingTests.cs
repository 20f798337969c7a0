using System.Net;
using PayExCallbackFunctions.Tests.Api;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Tracking;

/// <summary>
/// Tracking under the host, against Azurite and the stand-in, with callbacks off: the order system registers a payment,
/// PayEx moves it on, and the app's scheduled checks follow it. The fixture is shared: each test has its own payments.
/// </summary>
public class TrackingTests(TrackingApp fixture) : IClassFixture<TrackingApp>
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(TrackingApp.StepSeconds);

    [Fact]
    public async Task A_registered_payment_order_is_followed_to_each_step_with_no_callback_at_all()
    {
        var order = await fixture.PayEx.CreatePaymentAsync("v3.1", amount: 1500, orderReference: "order-tracked-1");

        var (code, registered) = await fixture.RegisterAsync(new { paymentOrder = order.PaymentOrder, orderReference = "order-tracked-1" });

        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal(("pending", 0L), (registered!["status"]!.GetValue<string>(), registered["version"]!.GetValue<long>()));
        Assert.True(registered["tracking"]!["tracked"]!.GetValue<bool>());
        Assert.Equal(order.Id.ToString("D"), registered["id"]!.GetValue<string>());
        // Found by the order reference it was registered with, before PayEx was ever asked.
        var (_, found) = await fixture.GetPaymentAsync("/api/payments?orderReference=order-tracked-1");
        Assert.Single(found!["payments"]!.AsArray());

        await fixture.PayEx.StepAsync(order.Id, "authorize");
        var authorized = await fixture.WaitForStatusAsync(order.Id, "authorized");
        Assert.Equal(1, authorized["version"]!.GetValue<long>());

        await fixture.PayEx.StepAsync(order.Id, "capture", 500);
        var captured = await fixture.WaitForStatusAsync(order.Id, "partially_captured", version: 2);
        Assert.Equal(("partially_captured", 1500L, 500L, 0L, 0L), PaymentsApiClient.Money(captured));
        // Each change recorded with its event, detected by a check.
        var events = await EventsOfAsync(order.Id);
        Assert.Equal(["payment.authorized", "payment.partially_captured"], events.Select(e => e["type"]!.GetValue<string>()).TakeLast(2));
        Assert.All(events, e => Assert.Equal("check", e["data"]!["detectedBy"]!.GetValue<string>()));
        Assert.DoesNotContain(fixture.PayEx.State.Requests, r => r.Method == "POST" && r.PathAndQuery.Contains("callbacks", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Registering_twice_changes_nothing_and_a_callback_registers_a_payment_it_names()
    {
        var order = await fixture.PayEx.CreatePaymentAsync("v3.1");
        Assert.Equal(HttpStatusCode.Created, (await fixture.RegisterAsync(new { paymentOrder = order.PaymentOrder })).Code);
        var (again, body) = await fixture.RegisterAsync(new { paymentOrder = order.PaymentOrder });
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.True(body!["tracking"]!["tracked"]!.GetValue<bool>());

        // Never registered: its first callback makes it tracked.
        var payment = await fixture.PayEx.CreatePaymentAsync("v1");
        await fixture.StepAndPostAsync(payment.Id, "authorize");
        var stored = await fixture.WaitForStatusAsync(payment.Id, "authorized");
        Assert.True(stored["tracking"]!["tracked"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_callback_for_a_tracked_payment_pushes_its_next_check_out()
    {
        for (var attempt = 1; ; attempt++)
        {
            var order = await fixture.PayEx.CreatePaymentAsync("v3.1");
            await fixture.RegisterAsync(new { paymentOrder = order.PaymentOrder });
            var first = await Eventually.GetAsync(() => Task.FromResult(fixture.GetsOf(order.Id) is [var at, ..] ? at : (DateTimeOffset?)null), "the first check") ?? default;

            // A callback half a step after that check: PayEx is read for it, and that read counts as the check.
            await WaitUntilAsync(first + (Step / 2));
            await fixture.StepAndPostAsync(order.Id, "authorize");
            var stored = await fixture.WaitForStatusAsync(order.Id, "authorized");
            if (await DetectedByAsync(order.Id) != "callback" && attempt < 3)
            {
                // A stalled machine let the check due a step after the first read the change before the callback did.
                continue;
            }

            Assert.Equal("callback", await DetectedByAsync(order.Id));
            var callbackRead = stored["checkedAt"]!.GetValue<DateTimeOffset>();
            Assert.Equal(callbackRead + Step, stored["tracking"]!["nextCheckAt"]!.GetValue<DateTimeOffset>());

            // The check after it comes a step after the callback's read, not a step after the first check (half a step
            // after the callback's read).
            var next = await Eventually.GetAsync(() => Task.FromResult(fixture.GetsOf(order.Id).Where(at => at > callbackRead).Select(at => (DateTimeOffset?)at).FirstOrDefault()), "the next check") ?? default;
            Assert.True(next - callbackRead >= Step - TimeSpan.FromSeconds(1), $"checked {(next - callbackRead).TotalSeconds:F1} s after the callback's read");
            return;
        }
    }

    [Fact]
    public async Task A_payment_PayEx_does_not_know_ends_its_tracking_with_the_reason()
    {
        var unknown = Guid.NewGuid();

        Assert.Equal(HttpStatusCode.Created, (await fixture.RegisterAsync(new { paymentOrder = $"/psp/paymentorders/{unknown:D}" })).Code);

        var ended = await Eventually.GetAsync(async () =>
        {
            var (_, body) = await fixture.GetPaymentAsync($"/api/payments/{unknown:D}");
            return body?["tracking"]?["tracked"]?.GetValue<bool>() == false ? body : null;
        }, "tracking to end");
        Assert.Equal("PayEx answered 404: it does not know the payment.", ended["tracking"]!["endReason"]!.GetValue<string>());
        Assert.Equal("pending", ended["status"]!.GetValue<string>());
        // No reminder is left (it goes just after the end is written): nothing will ask PayEx about it again.
        await Eventually.TrueAsync(async () => (await RemindersOfAsync(unknown)).Count == 0, "its reminder to go");
    }

    [Fact]
    public async Task A_stopped_payment_is_no_longer_checked_not_even_after_a_callback_and_an_unknown_one_cannot_be_stopped()
    {
        var order = await fixture.PayEx.CreatePaymentAsync("v3.1");
        await fixture.RegisterAsync(new { paymentOrder = order.PaymentOrder });

        var (code, stopped) = await fixture.StopTrackingAsync(order.Id);

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.False(stopped!["tracking"]!["tracked"]!.GetValue<bool>());
        Assert.Equal("Stopped through the payments API.", stopped["tracking"]!["endReason"]!.GetValue<string>());
        // Its reminder went with the stop: no check will come.
        Assert.Empty(await RemindersOfAsync(order.Id));

        // The order system stopped it: a callback after that stores the payment's news, and does not track it again.
        await fixture.StepAndPostAsync(order.Id, "authorize");
        var authorized = await fixture.WaitForStatusAsync(order.Id, "authorized");
        Assert.False(authorized["tracking"]!["tracked"]!.GetValue<bool>());
        Assert.Empty(await RemindersOfAsync(order.Id));

        var unknown = Guid.NewGuid();
        var (missing, problem) = await fixture.StopTrackingAsync(unknown);
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal($"No payment {unknown:D} is stored. Only a payment the app has stored can be stopped from being tracked.", problem!["detail"]!.GetValue<string>());
    }

    // The payment's recorded events, in order.
    private async Task<List<System.Text.Json.Nodes.JsonNode>> EventsOfAsync(Guid payment) =>
        (await fixture.Storage.RowsAsync(payment)).Where(r => r.RowKey.StartsWith("event-", StringComparison.Ordinal))
            .OrderBy(r => r.RowKey, StringComparer.Ordinal).Select(r => System.Text.Json.Nodes.JsonNode.Parse(r.GetString("Event"))!).ToList();

    // What detected the payment's authorization, as its event says.
    private async Task<string?> DetectedByAsync(Guid payment) =>
        (await EventsOfAsync(payment)).Where(e => e["type"]!.GetValue<string>() == "payment.authorized")
            .Select(e => e["data"]!["detectedBy"]!.GetValue<string>()).SingleOrDefault();

    /// <summary>
    /// The payment's reminders in the checks table (the sweep's only way to check it): neither the record of an ended
    /// tracking nor the events relay's mark.
    /// </summary>
    private async Task<List<Azure.Data.Tables.TableEntity>> RemindersOfAsync(Guid payment) =>
        await fixture.Storage.Checks.QueryAsync<Azure.Data.Tables.TableEntity>(e => e.RowKey == payment.ToString("D") && e.PartitionKey != "ended" && e.PartitionKey != PayExCallbackFunctions.Events.PendingEvents.Partition).ToListAsync();

    // The callback is to come half a step after the first check: the wait is for the clock, not for work.
    private static async Task WaitUntilAsync(DateTimeOffset at)
    {
        var wait = at - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }
}
