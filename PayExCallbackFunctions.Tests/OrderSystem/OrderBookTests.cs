using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.OrderSystem;
using PayExCallbackFunctions.OrderSystem.Events;
using PayExCallbackFunctions.OrderSystem.Orders;
using static PayExCallbackFunctions.Tests.OrderSystem.PaymentEventsFixture;

namespace PayExCallbackFunctions.Tests.OrderSystem;

/// <summary>
/// The sample's order book, without HTTP: what it makes of each event (applied, a duplicate by its id, stale by its
/// sequence), and many deliveries of one payment at once applied one at a time.
/// </summary>
public sealed class OrderBookTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("order-book-").FullName;
    private readonly OrderFiles _files;
    private readonly OrderBook _book;

    public OrderBookTests()
    {
        _files = new OrderFiles(Options.Create(new OrderSystemOptions { DataDirectory = _data }));
        _book = new OrderBook(_files, TimeProvider.System, NullLogger<OrderBook>.Instance);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static ValidEvent Parsed(string body) =>
        PaymentEvents.Parse(Encoding.UTF8.GetBytes(body), out var problem) ?? throw new ArgumentException(problem);

    [Fact]
    public async Task A_redelivered_event_is_a_duplicate_by_its_id_and_an_older_one_is_stale_by_its_sequence()
    {
        var payment = Guid.NewGuid();
        var authorized = Parsed(Event(payment, 1, "authorized"));
        var captured = Parsed(Event(payment, 2, "captured", "authorized", captured: 1500));

        Assert.Equal(ApplyOutcome.Applied, await _book.ApplyAsync(authorized, default));
        Assert.Equal(ApplyOutcome.Applied, await _book.ApplyAsync(captured, default));
        Assert.Equal(ApplyOutcome.Duplicate, await _book.ApplyAsync(captured, default));
        Assert.Equal(ApplyOutcome.Duplicate, await _book.ApplyAsync(authorized, default));
        // Not applied before, and older than what the order shows: the payment went on without it.
        Assert.Equal(ApplyOutcome.Stale, await _book.ApplyAsync(Parsed(Event(payment, 1, "pending")) with { Id = $"{payment:D}-v1-other" }, default));

        var order = await _files.ReadOrderAsync(payment, default);
        Assert.Equal((OrderStates.Captured, 2L), (order!.State, order.Sequence));
        Assert.Single(await _files.ReceiptsAsync(default));
    }

    [Fact]
    public async Task A_capture_redelivered_after_a_crash_between_its_receipt_and_its_order_keeps_the_first_receipt()
    {
        var payment = Guid.NewGuid();
        await _book.ApplyAsync(Parsed(Event(payment, 1, "authorized")), default);
        var captured = Parsed(Event(payment, 2, "captured", "authorized", captured: 1500));
        // The receipt written, then the process died before the order was: the order still shows nothing captured.
        var first = new Receipt(captured.Id, "549213", payment, 1500, 1500, "SEK", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        Assert.True(await _files.TryWriteReceiptAsync(first, default));

        Assert.Equal(ApplyOutcome.Applied, await _book.ApplyAsync(captured, default));

        Assert.Equal(first, Assert.Single(await _files.ReceiptsAsync(default)));
        Assert.Equal(1500L, (await _files.ReadOrderAsync(payment, default))!.CapturedAmount);
        Assert.Empty(Directory.EnumerateFiles(_data, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Many_deliveries_of_one_payment_at_once_apply_one_at_a_time_with_one_receipt_per_capture()
    {
        var payment = Guid.NewGuid();
        var events = Enumerable.Range(1, 20)
            .Select(v => Parsed(Event(payment, v, v == 20 ? "captured" : "partially_captured", amount: 2000, captured: v * 100)))
            .SelectMany(e => Enumerable.Repeat(e, 3))
            .ToList();
        var go = new TaskCompletionSource();

        var deliveries = events.Select(e => Task.Run(async () =>
        {
            await go.Task;
            return await _book.ApplyAsync(e, default);
        })).ToList();
        go.SetResult();
        var outcomes = await Task.WhenAll(deliveries);

        var order = await _files.ReadOrderAsync(payment, default);
        Assert.Equal((20L, 2000L), (order!.Sequence, order.CapturedAmount));
        var receipts = await _files.ReceiptsAsync(default);
        // Captured once each: the receipts add up to what was captured, however the deliveries interleaved.
        Assert.Equal(2000L, receipts.Sum(r => r.Captured));
        Assert.Equal(order.AppliedEventIds.Count, outcomes.Count(o => o == ApplyOutcome.Applied));
    }
}
