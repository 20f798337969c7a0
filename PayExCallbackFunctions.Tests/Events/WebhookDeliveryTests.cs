using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using PayExCallbackFunctions.Events;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Tests.Infrastructure;
using PayExCallbackFunctions.Tests.Payments;

namespace PayExCallbackFunctions.Tests.Events;

/// <summary>
/// Webhook deliveries as the app makes them (its HTTP client, signing, retries, undelivered events), on Azurite, to a
/// real endpoint on loopback that answers as each test says, with the clock in the test's hand: a receiver down for
/// hours, redirecting, gone, busy, dripping or talking too much; the queue beside it never held back.
/// </summary>
public class WebhookDeliveryTests
{
    internal static readonly string Secret = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public async Task Each_event_is_posted_once_in_order_signed_as_standard_webhooks_with_its_id()
    {
        await using var t = await SetUpAsync();
        var payment = await t.WriteAsync(2);

        var result = await t.Parts.Delivery.DeliverAsync(payment, default);
        Assert.Equal(4, result.Delivered);
        Assert.False(result.Left);
        Assert.Equal(0, (await t.Parts.Delivery.DeliverAsync(payment, default)).Delivered);

        Assert.Equal([$"{payment:D}-v1", $"{payment:D}-v2"], t.Receiver.EventIds);
        foreach (var request in t.Receiver.Requests)
        {
            var id = request.Headers["webhook-id"];
            var timestamp = request.Headers["webhook-timestamp"];
            // Computed here from the spec's definition, not by the app's signer.
            var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(Secret["whsec_".Length..]), Encoding.UTF8.GetBytes($"{id}.{timestamp}.{request.Body}")));
            Assert.Equal(expected, request.Headers["webhook-signature"]);
            Assert.Equal(t.Parts.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), timestamp);
            Assert.StartsWith("application/cloudevents+json", request.Headers["content-type"], StringComparison.Ordinal);
            Assert.Equal(id, System.Text.Json.Nodes.JsonNode.Parse(request.Body)!["id"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task An_endpoint_down_for_hours_is_retried_on_the_schedule_and_then_gets_the_events_in_order_while_the_queue_is_not_held()
    {
        await using var t = await SetUpAsync();
        t.Receiver.Answer = Status(503);
        var payment = await t.WriteAsync(1);
        await t.Parts.Delivery.DeliverAsync(payment, default);
        // The second change comes while the endpoint waits for its next attempt: the queue has both at once.
        await t.WriteAsync(2, payment, from: 2);
        await t.Parts.Delivery.DeliverAsync(payment, default);
        Assert.Equal(2, (await t.Storage.Events.PeekMessagesAsync(32)).Value.Length);
        Assert.Single(t.Receiver.Requests);

        // Five hours of the relay's runs, every 30 seconds of the clock: attempts only as the schedule says.
        await t.RunRelayAsync(TimeSpan.FromHours(5), TimeSpan.FromSeconds(30));
        // 0, 1 min, 6 min, 36 min, 2 h 36 min: five attempts, all of the first event (the second waits behind it).
        Assert.Equal(5, t.Receiver.Requests.Count);
        Assert.All(t.Receiver.EventIds, id => Assert.Equal($"{payment:D}-v1", id));
        var first = await t.EventRowAsync(payment, 1);
        Assert.Equal(5, first.GetInt32(EventRow.Attempts("Webhook0")));
        Assert.Contains("answered 503", first.GetString(EventRow.Error("Webhook0")), StringComparison.Ordinal);

        t.Receiver.Answer = Status(204);
        await t.RunRelayAsync(TimeSpan.FromHours(6), TimeSpan.FromMinutes(1));
        Assert.Equal([$"{payment:D}-v1", $"{payment:D}-v2"], t.Receiver.EventIds.Skip(5));
        Assert.Empty(await t.Parts.Undelivered.ListAsync(10, default));
        Assert.Equal(0, (await t.Parts.Admin.ReadAsync(default)).Marked);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_and_is_a_failed_attempt_that_says_so()
    {
        await using var t = await SetUpAsync();
        await using var elsewhere = await WebhookReceiver.StartAsync();
        t.Receiver.Answer = context =>
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = elsewhere.Url.ToString();
            return Task.CompletedTask;
        };
        var payment = await t.WriteAsync(1);

        var result = await t.Parts.Delivery.DeliverAsync(payment, default);

        Assert.Equal(["Webhook0"], result.Waiting);
        Assert.Empty(elsewhere.Requests);
        var row = await t.EventRowAsync(payment, 1);
        Assert.Contains("redirects are not followed", row.GetString(EventRow.Error("Webhook0")), StringComparison.Ordinal);
        Assert.Equal(1, row.GetInt32(EventRow.Attempts("Webhook0")));
    }

    [Fact]
    public async Task Gone_is_undelivered_at_once_and_a_replay_delivers_it_once_the_endpoint_is_back()
    {
        await using var t = await SetUpAsync();
        t.Receiver.Answer = Status(410);
        var payment = await t.WriteAsync(1);

        await t.Parts.Delivery.DeliverAsync(payment, default);
        var undelivered = Assert.Single(await t.Parts.Undelivered.ListAsync(10, default));
        Assert.Equal(("Webhook0", $"{payment:D}-v1", 1), (undelivered.Sink, undelivered.EventId, undelivered.Attempts));
        Assert.False((await t.EventRowAsync(payment, 1)).GetBoolean(EventRow.Pending("Webhook0")));
        // Not retried: a day of the relay sends nothing more.
        await t.RunRelayAsync(TimeSpan.FromDays(1), TimeSpan.FromHours(1));
        Assert.Single(t.Receiver.Requests);

        t.Receiver.Answer = Status(200);
        var replayed = await t.Parts.Admin.TryReplayAsync(undelivered.Id, default);

        Assert.True(Assert.IsType<EventReplayAttempt.Replayed>(replayed).Result.Delivered);
        Assert.Equal([$"{payment:D}-v1", $"{payment:D}-v1"], t.Receiver.EventIds);
        Assert.Empty(await t.Parts.Undelivered.ListAsync(10, default));
        Assert.False((await t.EventRowAsync(payment, 1)).GetBoolean(EventRow.Pending("Webhook0")));
    }

    [Fact]
    public async Task A_replay_as_the_delivery_gives_up_keeps_the_event_pending_and_the_delivery_sends_it_again()
    {
        var race = new TableRace();
        // The webhook alone: its give-up is the delivery's first merge.
        await using var t = await SetUpAsync(new() { ["Events:QueueEnabled"] = "false" }, race);
        t.Receiver.Answer = Status(410);
        var payment = await t.WriteAsync(1);
        // The operator replays it as soon as it is listed, before the delivery has taken it off its sink.
        race.BeforeMerge = async () =>
        {
            var listed = Assert.Single(await t.Parts.Undelivered.ListAsync(10, default));
            t.Receiver.Answer = Status(200);
            var replayed = Assert.IsType<EventReplayAttempt.Replayed>(await t.Parts.Admin.TryReplayAsync(listed.Id, default));
            // Handed to the delivery under way, which sends it once more.
            Assert.False(replayed.Result.Delivered);
        };

        await t.Parts.Delivery.DeliverAsync(payment, default);

        Assert.Null(race.BeforeMerge);
        Assert.Equal([$"{payment:D}-v1", $"{payment:D}-v1"], t.Receiver.EventIds);
        Assert.Empty(await t.Parts.Undelivered.ListAsync(10, default));
        var row = await t.EventRowAsync(payment, 1);
        Assert.False(row.GetBoolean(EventRow.Pending("Webhook0")));
        Assert.NotNull(row.GetDateTimeOffset(EventRow.DeliveredAt("Webhook0")));
    }

    [Fact]
    public async Task Retry_After_sets_the_next_attempt_later_than_the_schedule_would()
    {
        await using var t = await SetUpAsync();
        t.Receiver.Answer = context =>
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "3600";
            return Task.CompletedTask;
        };
        var payment = await t.WriteAsync(1);
        var start = t.Parts.Time.GetUtcNow();

        var result = await t.Parts.Delivery.DeliverAsync(payment, default);
        Assert.Equal(start.AddHours(1), result.RetryAt);

        t.Receiver.Answer = Status(204);
        // The schedule's first step (1 minute) and more pass: not asked again before the hour.
        await t.RunRelayAsync(TimeSpan.FromMinutes(59), TimeSpan.FromSeconds(30));
        Assert.Single(t.Receiver.Requests);
        await t.RunRelayAsync(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30));
        Assert.Equal(2, t.Receiver.Requests.Count);
        Assert.False((await t.EventRowAsync(payment, 1)).GetBoolean(EventRow.Pending("Webhook0")));
    }

    [Fact]
    public async Task An_answer_that_drips_after_its_2xx_delivers_and_one_that_drips_an_error_fails_within_the_timeout()
    {
        await using var t = await SetUpAsync();
        t.Receiver.Answer = Drip(200);
        var payment = await t.WriteAsync(1);
        Assert.Equal(2, (await t.Parts.Delivery.DeliverAsync(payment, default)).Delivered);

        t.Receiver.Answer = Drip(500);
        var second = await t.WriteAsync(1);
        var result = await t.Parts.Delivery.DeliverAsync(second, default);

        Assert.Equal(["Webhook0"], result.Waiting);
        Assert.StartsWith("answered 500. x", (await t.EventRowAsync(second, 1)).GetString(EventRow.Error("Webhook0")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ten_megabytes_of_error_are_read_no_further_than_the_bound()
    {
        await using var t = await SetUpAsync();
        var hungUp = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        t.Receiver.Answer = async context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            var chunk = Encoding.ASCII.GetBytes(new string('y', 64 * 1024));
            try
            {
                // Writes after a hang-up neither fail nor block in Kestrel, and a loopback connection's buffers take
                // megabytes; what tells is the end: the answer is left open, so a client reading it to its end waits.
                for (var sent = 0; sent < 10 * 1024 * 1024 && !context.RequestAborted.IsCancellationRequested; sent += chunk.Length)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                }

                await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
                hungUp.TrySetResult(false);
            }
            catch (OperationCanceledException)
            {
                hungUp.TrySetResult(true);
            }
        };
        var payment = await t.WriteAsync(1);

        var result = await t.Parts.Delivery.DeliverAsync(payment, default);

        Assert.Equal(["Webhook0"], result.Waiting);
        var error = (await t.EventRowAsync(payment, 1)).GetString(EventRow.Error("Webhook0"))!;
        Assert.StartsWith("answered 500. yyy", error, StringComparison.Ordinal);
        Assert.True(error.Length <= 301, $"{error.Length} characters kept");
        Assert.True(await hungUp.Task.WaitAsync(TimeSpan.FromSeconds(30)), "the app read the answer to its end instead of hanging up after its bound");
    }

    [Fact]
    public async Task When_the_schedule_runs_out_the_event_is_undelivered_and_the_next_one_goes_on()
    {
        await using var t = await SetUpAsync(new() { ["Events:RetrySchedule"] = "00:00:10, 00:00:20" });
        t.Receiver.Answer = Status(500);
        var payment = await t.WriteAsync(1);
        await t.Parts.Delivery.DeliverAsync(payment, default);
        await t.RunRelayAsync(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5));

        Assert.Equal(3, t.Receiver.Requests.Count);
        var undelivered = Assert.Single(await t.Parts.Undelivered.ListAsync(10, default));
        Assert.Equal((3, $"{payment:D}-v1"), (undelivered.Attempts, undelivered.EventId));
        Assert.Contains("answered 500", undelivered.Error, StringComparison.Ordinal);

        // The next change is delivered when the endpoint is back: one undelivered event does not stop the payment.
        t.Receiver.Answer = Status(204);
        await t.WriteAsync(2, payment, from: 2);
        await t.Parts.Delivery.DeliverAsync(payment, default);
        Assert.Equal($"{payment:D}-v2", t.Receiver.EventIds[^1]);
    }

    private static Func<HttpContext, Task> Status(int status) => context =>
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    };

    // Headers at once, then a byte every half second for a minute, unless the client goes.
    private static Func<HttpContext, Task> Drip(int status) => async context =>
    {
        context.Response.StatusCode = status;
        await context.Response.Body.FlushAsync(context.RequestAborted);
        for (var i = 0; i < 120 && !context.RequestAborted.IsCancellationRequested; i++)
        {
            await context.Response.Body.WriteAsync("x"u8.ToArray(), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(500, context.RequestAborted);
        }
    };

    private static async Task<Setup> SetUpAsync(Dictionary<string, string?>? settings = null, TableRace? tables = null)
    {
        var storage = await TestStorage.CreateAsync();
        var receiver = await WebhookReceiver.StartAsync();
        var all = new Dictionary<string, string?> { ["Events:Webhooks:0:Url"] = receiver.Url.ToString(), ["Events:Webhooks:0:Secret"] = Secret };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        return new Setup(storage, receiver, EventParts.Create(storage, all, tables: tables));
    }

    private sealed class Setup(TestStorage storage, WebhookReceiver receiver, EventParts parts) : IAsyncDisposable
    {
        private readonly PaymentWriter _writer = parts.Writer();

        public TestStorage Storage => storage;

        public WebhookReceiver Receiver => receiver;

        public EventParts Parts => parts;

        /// <summary>Changes <paramref name="from"/>..<paramref name="to"/> of a payment (a new one unless given), committed with their events and not delivered.</summary>
        public async Task<Guid> WriteAsync(int to, Guid? payment = null, int from = 1)
        {
            var key = payment ?? Guid.NewGuid();
            for (var step = from; step <= to; step++)
            {
                await _writer.WriteAsync(new PaymentUpdate(key, [], PaymentWriterTests.Step(step), PaymentApi.Payment, "test"), default);
            }

            return key;
        }

        /// <summary>Moves the clock by <paramref name="interval"/> and runs the relay, until <paramref name="span"/> has passed.</summary>
        public async Task RunRelayAsync(TimeSpan span, TimeSpan interval)
        {
            for (var passed = TimeSpan.Zero; passed < span; passed += interval)
            {
                parts.Time.Advance(interval);
                await parts.Relay.RunAsync(default);
            }
        }

        public async Task<TableEntity> EventRowAsync(Guid payment, long version) =>
            (await storage.Table.GetEntityAsync<TableEntity>(payment.ToString("D"), EventRow.RowKey(version))).Value;

        public async ValueTask DisposeAsync()
        {
            _writer.Dispose();
            parts.Dispose();
            await receiver.DisposeAsync();
            await storage.DisposeAsync();
        }
    }
}
