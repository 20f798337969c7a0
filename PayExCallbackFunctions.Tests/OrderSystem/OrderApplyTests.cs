using PayExCallbackFunctions.OrderSystem.Orders;
using PayExCallbackFunctions.Tests.Infrastructure;
using static PayExCallbackFunctions.Tests.OrderSystem.PaymentEventsFixture;

namespace PayExCallbackFunctions.Tests.OrderSystem;

/// <summary>
/// Events applied as the app delivers them, at least once and out of order across redeliveries: a duplicate (its id)
/// and a stale one (its sequence) change nothing, each capture writes one receipt, and all of it survives a restart.
/// </summary>
public class OrderApplyTests
{
    [Fact]
    public async Task Each_event_twice_and_the_first_again_at_the_end_leave_the_order_refunded_with_one_receipt()
    {
        await using var orders = await OrderSystemHost.StartAsync();
        var payment = Guid.NewGuid();
        var authorized = Event(payment, 1, "authorized");
        var captured = Event(payment, 2, "captured", "authorized", captured: 1500);
        var reversed = Event(payment, 3, "partially_reversed", "captured", captured: 1500, reversed: 500);

        foreach (var body in new[] { authorized, authorized, captured, captured, reversed, reversed, authorized })
        {
            await DeliverAsync(orders, body);
        }

        var order = await orders.OrderAsync(payment);
        Assert.Equal((OrderStates.Refunded, "partially_reversed", 3L, 1500L, 500L), (order!.State, order.PaymentStatus, order.Sequence, order.CapturedAmount, order.ReversedAmount));
        Assert.Equal([EventId(payment, 1), EventId(payment, 2), EventId(payment, 3)], order.AppliedEventIds);
        var receipt = Assert.Single(await orders.ReceiptsAsync());
        Assert.Equal((EventId(payment, 2), 1500L, 1500L), (receipt.EventId, receipt.Captured, receipt.TotalCaptured));
    }

    [Fact]
    public async Task A_later_event_arriving_first_is_applied_and_the_earlier_one_dropped_as_stale()
    {
        await using var orders = await OrderSystemHost.StartAsync();
        var payment = Guid.NewGuid();

        await DeliverAsync(orders, Event(payment, 3, "reversed", "captured", captured: 1500, reversed: 1500));
        await DeliverAsync(orders, Event(payment, 2, "captured", "authorized", captured: 1500));

        var order = await orders.OrderAsync(payment);
        Assert.Equal((OrderStates.Refunded, 3L), (order!.State, order.Sequence));
        Assert.Equal([EventId(payment, 3)], order.AppliedEventIds);
        Assert.Equal(EventId(payment, 3), Assert.Single(await orders.ReceiptsAsync()).EventId);
    }

    [Fact]
    public async Task Two_partial_captures_write_two_receipts_of_their_own_amounts()
    {
        await using var orders = await OrderSystemHost.StartAsync();
        var payment = Guid.NewGuid();

        await DeliverAsync(orders, Event(payment, 1, "authorized"));
        await DeliverAsync(orders, Event(payment, 2, "partially_captured", "authorized", captured: 500));
        var partly = await orders.OrderAsync(payment);
        await DeliverAsync(orders, Event(payment, 3, "captured", "partially_captured", captured: 1500));
        await DeliverAsync(orders, Event(payment, 2, "partially_captured", "authorized", captured: 500));

        Assert.Equal((OrderStates.Captured, true, 500L), (partly!.State, partly.PartiallyCaptured, partly.CapturedAmount));
        var order = await orders.OrderAsync(payment);
        Assert.Equal((OrderStates.Captured, false, 1500L), (order!.State, order.PartiallyCaptured, order.CapturedAmount));
        Assert.Equal(
            [(EventId(payment, 2), 500L, 500L), (EventId(payment, 3), 1000L, 1500L)],
            (await orders.ReceiptsAsync()).Select(r => (r.EventId, r.Captured, r.TotalCaptured)).OrderBy(r => r.TotalCaptured));
    }

    [Theory]
    [InlineData("pending", OrderStates.AwaitingPayment)]
    [InlineData("authorized", OrderStates.Paid)]
    [InlineData("cancelled", OrderStates.Cancelled)]
    [InlineData("failed", OrderStates.Failed)]
    [InlineData("aborted", OrderStates.Failed)]
    public async Task Each_payment_status_sets_the_orders_state(string status, string state)
    {
        await using var orders = await OrderSystemHost.StartAsync();
        var payment = Guid.NewGuid();

        await DeliverAsync(orders, Event(payment, 1, status));

        Assert.Equal(state, (await orders.OrderAsync(payment))?.State);
        Assert.Empty(await orders.ReceiptsAsync());
    }

    [Fact]
    public async Task After_a_restart_on_the_same_data_a_redelivered_capture_writes_no_second_receipt()
    {
        await using var orders = await OrderSystemHost.StartAsync();
        var payment = Guid.NewGuid();
        var captured = Event(payment, 2, "captured", "authorized", captured: 1500);
        await DeliverAsync(orders, Event(payment, 1, "authorized"));
        await DeliverAsync(orders, captured);
        var url = orders.WebhookUrl;

        await orders.RestartAsync();
        await DeliverAsync(orders, captured);
        await DeliverAsync(orders, Event(payment, 1, "authorized"));

        Assert.Equal(url, orders.WebhookUrl);
        var order = await orders.OrderAsync(payment);
        Assert.Equal((OrderStates.Captured, 2L), (order!.State, order.Sequence));
        Assert.Single(await orders.ReceiptsAsync());
    }
}
