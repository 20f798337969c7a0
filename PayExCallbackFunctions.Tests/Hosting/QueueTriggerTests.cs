using System.Text;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Hosting;

/// <summary>The host's queue trigger as the app relies on it: the Disabled setting, host.json's bounds, poison intake, stop.</summary>
public class QueueTriggerTests
{
    private readonly ExampleCallback _callback = new();

    private Guid P => _callback.Payment;

    [Fact]
    public async Task A_function_disabled_by_its_host_setting_gets_no_listener_and_its_callbacks_wait_on_the_queue()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        _callback.Serve(payEx);
        var settings = storage.Settings(payEx);
        settings["AzureWebJobs.ProcessPayExCallback.Disabled"] = "true";
        await using (var disabled = await HostProcess.StartAsync(settings))
        {
            await _callback.AcknowledgeAsync(disabled);
            // The poison queue's function still runs: a message there is dead-lettered, while the callback waits.
            var envelope = $$"""{"version":1,"id":"poisoned-meanwhile","shape":"V1Nested","payment":"/psp/creditcard/payments/{{Guid.NewGuid()}}","receivedAt":"2026-01-01T00:00:00Z","rawBody":"{}"}""";
            await storage.Poison.CreateIfNotExistsAsync();
            await storage.Poison.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(envelope)));
            await Eventually.TrueAsync(async () => (await storage.DeadLettersAsync()).Count == 1, "the poison function to run");
            Assert.Equal(1, await storage.ApproximateCountAsync(storage.Queue));
            Assert.Empty(payEx.State.Requests);
        }

        settings.Remove("AzureWebJobs.ProcessPayExCallback.Disabled");
        await using var enabled = await HostProcess.StartAsync(settings);
        // The payment, its transaction and the status (its event aside).
        await Eventually.TrueAsync(async () => (await storage.RowsAsync(P)).Count(r => !r.RowKey.StartsWith("event-", StringComparison.Ordinal)) == 3, "the waiting callback processed once the function is enabled");
    }

    [Fact]
    public async Task No_more_messages_are_in_flight_than_newBatchThreshold_plus_batchSize()
    {
        await using var run = await RunningApp.StartAsync(s =>
        {
            s["AzureFunctionsJobHost__extensions__queues__batchSize"] = "2";
            s["AzureFunctionsJobHost__extensions__queues__newBatchThreshold"] = "1";
        });
        var (payEx, storage, app) = (run.PayEx, run.Storage, run.App);
        _callback.Serve(payEx);
        // Long enough that a message's two GETs overlap however the machine stalls.
        payEx.State.Latency = TimeSpan.FromSeconds(1);

        for (var i = 0; i < 12; i++)
        {
            await _callback.AcknowledgeAsync(app);
        }

        await Eventually.TrueAsync(async () => payEx.State.Requests.Count == 24 && await storage.ApproximateCountAsync(storage.Queue) == 0, "all twelve processed");
        // Each message GETs its payment and transaction together: at most 3 messages, 6 GETs.
        Assert.InRange(payEx.State.MaxConcurrentRequests, 2, 6);
    }

    [Fact]
    public async Task A_message_already_dequeued_more_than_maxDequeueCount_times_goes_through_the_poison_queue_to_the_dead_letters_unprocessed()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        _callback.Serve(payEx);
        var envelope = $$"""{"version":1,"id":"crashed","shape":"V1Nested","payment":"/psp/creditcard/payments/{{P}}","receivedAt":"2026-01-01T00:00:00Z","rawBody":"{}"}""";
        await storage.Queue.CreateIfNotExistsAsync();
        await storage.Queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(envelope)));
        for (var i = 0; i < 3; i++)
        {
            // As if a process had taken it and died each time.
            var taken = Assert.Single((await storage.Queue.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1))).Value);
            await storage.Queue.UpdateMessageAsync(taken.MessageId, taken.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }

        var settings = storage.Settings(payEx);
        settings["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = "2";
        await using var app = await HostProcess.StartAsync(settings);

        var deadLetter = await Eventually.GetAsync(async () => (await storage.DeadLettersAsync()).SingleOrDefault(), "the poisoned message among the dead letters");
        Assert.Equal("crashed", deadLetter.RowKey);
        Assert.Equal("Poison", deadLetter.GetString("Origin"));
        Assert.Equal(envelope, deadLetter.GetString("Message"));
        Assert.Empty(payEx.State.Requests);
        Assert.Empty(await storage.RowsAsync(P));
        // The host deletes the poison message once the function that wrote the dead letter has returned.
        await Eventually.TrueAsync(async () => await storage.ApproximateCountAsync(storage.Poison) == 0, "the poison message to be completed");
        await app.WaitForOutputAsync("reached the poison queue and was dead-lettered");
    }

    [Fact]
    public async Task On_SIGTERM_func_stops_and_a_callback_in_flight_is_stored_once_by_the_next_instance()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync(azurite);
        var settings = storage.Settings(payEx);
        _callback.Serve(payEx);
        payEx.State.Latency = TimeSpan.FromSeconds(2);
        await using (var first = await HostProcess.StartAsync(settings))
        {
            await _callback.AcknowledgeAsync(first);
            await Eventually.TrueAsync(() => Task.FromResult(payEx.State.Requests.Count > 0), "processing to start");
            first.Terminate();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }

        // Either the host let the invocation finish, or the message waits for its lease to end; never both, never neither.
        var stored = (await storage.RowsAsync(P)).Count(r => !r.RowKey.StartsWith("event-", StringComparison.Ordinal)) == 3;
        await azurite.ExpireQueueLeasesAsync();
        payEx.State.Latency = TimeSpan.Zero;
        await using var second = await HostProcess.StartAsync(settings);
        await storage.WaitForRowsAsync(P, _callback.RowKeys);
        await Eventually.TrueAsync(async () => await storage.ApproximateCountAsync(storage.Queue) == 0, "the message to be completed");
        Assert.Equal(stored ? 1 : 2, _callback.PaymentGets(payEx).Count);
    }
}
