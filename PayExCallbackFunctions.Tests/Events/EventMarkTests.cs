using System.Security.Cryptography;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
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
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        using var parts = EventParts.Create(storage, new() { ["Events:Webhooks:0:Url"] = receiver.Url.ToString(), ["Events:Webhooks:0:Secret"] = secret });
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
        await using var storage = await TestStorage.CreateAsync();
        using var parts = EventParts.Create(storage);
        var race = new RaceBeforeCommit();
        using var writer = PaymentWriterTests.Writer(storage, race, sinks: parts.Sinks);
        using var other = parts.Writer();
        var payment = Guid.NewGuid();
        await writer.WriteAsync(Update(payment, 1), default);
        // Between this writer's mark and its commit, another instance commits a change, delivers it and removes its mark.
        race.Before = async () =>
        {
            var won = await other.WriteAsync(Update(payment, 2), default);
            await parts.Pending.ClearAsync(payment, won.EventsMark!.Value, default);
            Assert.Null(await MarkAsync(storage, payment));
        };

        var written = await writer.WriteAsync(Update(payment, 3), default);

        // Committed after the other's version 2: its first transaction failed, and it read and wrote again.
        Assert.Null(race.Before);
        Assert.Equal(3, written.Change?.Row.Version);
        var mark = Assert.IsType<TableEntity>(await MarkAsync(storage, payment));
        Assert.Equal(mark.ETag, written.EventsMark);
    }

    private static PaymentUpdate Update(Guid payment, int step) => new(payment, [], PaymentWriterTests.Step(step), PaymentApi.Payment, "test");

    private static async Task<TableEntity?> MarkAsync(TestStorage storage, Guid payment) =>
        await storage.Checks.GetEntityIfExistsAsync<TableEntity>(PendingEvents.Partition, payment.ToString("D")) is { HasValue: true } found ? found.Value : null;

    /// <summary>Runs <see cref="Before"/> once, before the next entity group transaction is sent.</summary>
    private sealed class RaceBeforeCommit : HttpPipelinePolicy
    {
        public Func<Task>? Before { get; set; }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The writer is asynchronous.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) && Before is { } before)
            {
                Before = null;
                await before();
            }

            await ProcessNextAsync(message, pipeline);
        }
    }
}
