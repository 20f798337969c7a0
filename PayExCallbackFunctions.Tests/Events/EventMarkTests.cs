using Azure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using PayExCallbackFunctions.Events;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Tests.Infrastructure;
using PayExCallbackFunctions.Tests.Payments;

namespace PayExCallbackFunctions.Tests.Events;

/// <summary>
/// The relay's mark (Azurite): the delivery right after a commit removes it when that left nothing and nothing marked
/// the payment since, so the relay reads only what failed; a writer whose commit lost a race marks again, so that
/// another writer's removal never leaves a committed event without a mark.
/// </summary>
public class EventMarkTests
{
    [Fact]
    public async Task A_delivery_that_leaves_nothing_removes_the_writers_mark()
    {
        await using var storage = await TestStorage.CreateAsync();
        using var parts = EventParts.Create(storage);
        using var writer = parts.Writer();
        var payment = Guid.NewGuid();
        var written = await writer.WriteAsync(Update(payment, 1), default);
        Assert.NotNull(await MarkAsync(storage, payment));

        var result = await parts.Dispatch.DeliverAsync(payment, written.EventsMark, default);

        Assert.Equal(1, result.Delivered);
        Assert.Null(await MarkAsync(storage, payment));
        Assert.Single((await storage.Events.PeekMessagesAsync(32)).Value);
    }

    [Fact]
    public async Task A_payment_marked_again_since_keeps_its_mark()
    {
        await using var storage = await TestStorage.CreateAsync();
        using var parts = EventParts.Create(storage);
        using var writer = parts.Writer();
        var payment = Guid.NewGuid();
        var written = await writer.WriteAsync(Update(payment, 1), default);
        // Another writer of the payment, about to commit.
        await parts.Pending.MarkAsync(payment, default);

        var result = await parts.Dispatch.DeliverAsync(payment, written.EventsMark, default);

        Assert.Equal(1, result.Delivered);
        Assert.NotNull(await MarkAsync(storage, payment));
    }

    [Fact]
    public async Task A_delivery_that_leaves_an_event_keeps_the_mark_for_the_relay()
    {
        await using var storage = await TestStorage.CreateAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = context =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        };
        using var parts = EventParts.Create(storage, WebhookAt(receiver));
        using var writer = parts.Writer();
        var payment = Guid.NewGuid();
        var written = await writer.WriteAsync(Update(payment, 1), default);

        var result = await parts.Dispatch.DeliverAsync(payment, written.EventsMark, default);

        Assert.True(result.Left);
        Assert.Equal(["Webhook0"], result.Waiting);
        Assert.NotNull(await MarkAsync(storage, payment));
    }

    [Fact]
    public async Task A_writer_whose_commit_lost_a_race_marks_again_after_the_winners_mark_was_removed()
    {
        await using var t = await TwoWriters.StartAsync();
        // Between this writer's mark and its commit, another instance commits a change, delivers it and removes its mark.
        t.Race.Before = async () =>
        {
            await t.OtherWinsAsync(2);
            Assert.Null(await MarkAsync(t.Storage, t.Payment));
        };

        var written = await t.Writer.WriteAsync(Update(t.Payment, 3), default);

        // Committed after the other's version 2: its first transaction failed, and it read and wrote again.
        Assert.Null(t.Race.Before);
        Assert.Equal(3, written.Change?.Row.Version);
        await t.AssertMarkedByAsync(written);
    }

    [Fact]
    public async Task A_writer_marks_after_the_read_its_commit_is_guarded_by()
    {
        await using var t = await TwoWriters.StartAsync();
        // Another instance's version 2: this writer's first transaction fails on what it remembers, and it reads again.
        await t.Other.WriteAsync(Update(t.Payment, 2), default);
        // Just before that read, the other commits version 3, delivers it and removes its mark: a mark made before the
        // read would be older than the other's, and gone with it.
        t.Race.BeforeRead = (t.Storage.TableName, () => t.OtherWinsAsync(3));

        var written = await t.Writer.WriteAsync(Update(t.Payment, 4), default);

        Assert.Null(t.Race.BeforeRead);
        Assert.Equal(4, written.Change?.Row.Version);
        await t.AssertMarkedByAsync(written);
    }

    [Fact]
    public async Task A_replayed_event_keeps_a_mark_when_a_delivery_that_read_before_it_was_pending_removes_its_own()
    {
        await using var storage = await TestStorage.CreateAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var failFirst = StatusCodes.Status410Gone;
        receiver.Answer = context =>
        {
            context.Response.StatusCode = context.Request.Headers["webhook-id"].ToString().EndsWith("-v1", StringComparison.Ordinal) ? failFirst : StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        };
        var race = new TableRace();
        using var parts = EventParts.Create(storage, WebhookAt(receiver), tables: race);
        using var writer = parts.Writer();
        var payment = Guid.NewGuid();
        var first = await writer.WriteAsync(Update(payment, 1), default);
        Assert.False((await parts.Dispatch.DeliverAsync(payment, first.EventsMark, default)).Left);
        var gone = Assert.Single(await parts.Undelivered.ListAsync(10, default));
        failFirst = StatusCodes.Status503ServiceUnavailable;
        // As the replay makes version 1 pending again, a change of the payment is committed and delivered, its delivery
        // having read version 1 as not pending: it removes its writer's mark, made after the replay's first.
        race.BeforeMerge = async () =>
        {
            var change = await writer.WriteAsync(Update(payment, 2), default);
            Assert.False((await parts.Dispatch.DeliverAsync(payment, change.EventsMark, default)).Left);
            Assert.Null(await MarkAsync(storage, payment));
        };

        var replayed = Assert.IsType<EventReplayAttempt.Replayed>(await parts.Admin.TryReplayAsync(gone.Id, default));

        Assert.Null(race.BeforeMerge);
        Assert.False(replayed.Result.Delivered);
        Assert.NotNull(await MarkAsync(storage, payment));
    }

    /// <summary>A payment at version 1, written by <see cref="Writer"/> (whose requests <see cref="Race"/> sees), and another instance's writer.</summary>
    private sealed class TwoWriters(TestStorage storage, EventParts parts, TableRace race, PaymentWriter writer, PaymentWriter other) : IAsyncDisposable
    {
        public TestStorage Storage => storage;

        public TableRace Race => race;

        public PaymentWriter Writer => writer;

        public PaymentWriter Other => other;

        public Guid Payment { get; } = Guid.NewGuid();

        public static async Task<TwoWriters> StartAsync()
        {
            var storage = await TestStorage.CreateAsync();
            var parts = EventParts.Create(storage);
            var race = new TableRace();
            var t = new TwoWriters(storage, parts, race, PaymentWriterTests.Writer(storage, race, sinks: parts.Sinks), parts.Writer());
            await t.Writer.WriteAsync(Update(t.Payment, 1), default);
            return t;
        }

        /// <summary>The other instance commits <paramref name="step"/>, delivers it and removes its mark.</summary>
        public async Task OtherWinsAsync(int step)
        {
            var won = await other.WriteAsync(Update(Payment, step), default);
            await parts.Pending.ClearAsync(Payment, won.EventsMark!.Value, default);
        }

        /// <summary>The payment is marked, and the mark is the one <paramref name="written"/> made.</summary>
        public async Task AssertMarkedByAsync(WriteResult written)
        {
            var mark = Assert.IsType<TableEntity>(await MarkAsync(storage, Payment));
            Assert.Equal(mark.ETag, written.EventsMark);
        }

        public async ValueTask DisposeAsync()
        {
            writer.Dispose();
            other.Dispose();
            parts.Dispose();
            await storage.DisposeAsync();
        }
    }

    private static Dictionary<string, string?> WebhookAt(WebhookReceiver receiver) =>
        new() { ["Events:Webhooks:0:Url"] = receiver.Url.ToString(), ["Events:Webhooks:0:Secret"] = OrderSystemHost.NewSecret() };

    private static PaymentUpdate Update(Guid payment, int step) => new(payment, [], PaymentWriterTests.Step(step), PaymentApi.Payment, "test");

    private static async Task<TableEntity?> MarkAsync(TestStorage storage, Guid payment) =>
        await storage.Checks.GetEntityIfExistsAsync<TableEntity>(PendingEvents.Partition, payment.ToString("D")) is { HasValue: true } found ? found.Value : null;
}
