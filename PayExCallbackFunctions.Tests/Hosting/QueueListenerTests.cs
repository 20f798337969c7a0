using System.Text;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Hosting;

/// <summary>The standalone queue listeners, end to end: host.json settings, poison intake, graceful stop.</summary>
public class QueueListenerTests
{
    private readonly ExampleCallback _callback = new();

    private Guid P => _callback.Payment;

    [Fact]
    public async Task The_listener_says_which_queue_it_listens_to_with_host_json_settings()
    {
        await using var run = await RunningApp.StartAsync(_ => { });
        var (storage, app) = (run.Storage, run.App);
        await Eventually.TrueAsync(() => Task.FromResult(app.Output.Contains($"listening to queue {storage.QueueName} (batch size 16, poison after 5 attempts)")), "the listener's start line");
        await Eventually.TrueAsync(() => Task.FromResult(app.Output.Contains($"listening to queue {storage.QueueName}-poison")), "the poison listener's start line");
        await Eventually.TrueAsync(() => Task.FromResult(app.Output.Contains("Transient failures are tried 6 times, over at least 00:00:08")), "the retry schedule's start line");
    }

    [Fact]
    public async Task A_function_disabled_by_its_host_setting_gets_no_listener_and_its_callbacks_wait_on_the_queue()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        _callback.Serve(payEx);
        var settings = storage.Settings(payEx);
        settings["AzureWebJobs.ProcessPayExCallback.Disabled"] = "true";
        await using (var disabled = await AppProcess.StartAsync(settings))
        {
            await _callback.AcknowledgeAsync(disabled);
            // The listeners log as they start, the callback queue's first: once the poison queue's line is out, its would be.
            await Eventually.TrueAsync(() => Task.FromResult(disabled.Output.Contains($"listening to queue {storage.QueueName}-poison")), "the poison listener's start line");
            Assert.DoesNotContain($"listening to queue {storage.QueueName} ", disabled.Output, StringComparison.Ordinal);
            Assert.Contains("ProcessPayExCallback is disabled (AzureWebJobs.ProcessPayExCallback.Disabled)", disabled.Output, StringComparison.Ordinal);
            Assert.Equal(1, await storage.ApproximateCountAsync(storage.Queue));
        }

        settings.Remove("AzureWebJobs.ProcessPayExCallback.Disabled");
        await using var enabled = await AppProcess.StartAsync(settings);
        await Eventually.TrueAsync(async () => (await storage.RowsAsync(P)).Count == 2, "the waiting callback processed once the function is enabled");
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
        payEx.State.Latency = TimeSpan.FromMilliseconds(300);

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
        await using var app = await AppProcess.StartAsync(settings);

        var deadLetter = await Eventually.GetAsync(async () => (await storage.DeadLettersAsync()).SingleOrDefault(), "the poisoned message among the dead letters");
        Assert.Equal("crashed", deadLetter.RowKey);
        Assert.Equal("Poison", deadLetter.GetString("Origin"));
        Assert.Equal(envelope, deadLetter.GetString("Message"));
        Assert.Empty(payEx.State.Requests);
        Assert.Empty(await storage.RowsAsync(P));
        Assert.Equal(0, await storage.ApproximateCountAsync(storage.Poison));
        await Eventually.TrueAsync(() => Task.FromResult(app.Output.Contains("reached the poison queue and was dead-lettered")), "the Error log line");
    }

    [Fact]
    public async Task On_SIGTERM_a_callback_in_flight_is_finished_before_the_app_exits()
    {
        await using var run = await RunningApp.StartAsync(_ => { });
        var (payEx, storage, app) = (run.PayEx, run.Storage, run.App);
        _callback.Serve(payEx);
        payEx.State.Latency = TimeSpan.FromSeconds(2);

        await _callback.AcknowledgeAsync(app);
        await Eventually.TrueAsync(() => Task.FromResult(payEx.State.Requests.Count > 0), "processing to start");
        app.Terminate();

        Assert.Equal(0, await app.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, (await storage.RowsAsync(P)).Count);
        Assert.Equal(0, await storage.ApproximateCountAsync(storage.Queue));
    }

    [Fact]
    public async Task A_callback_still_in_flight_when_the_shutdown_timeout_ends_goes_back_to_the_queue_and_is_processed_later()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        var settings = storage.Settings(payEx);
        settings["DOTNET_SHUTDOWNTIMEOUTSECONDS"] = "1";
        _callback.Serve(payEx);
        payEx.State.Latency = TimeSpan.FromSeconds(20);
        await using (var first = await AppProcess.StartAsync(settings))
        {
            await _callback.AcknowledgeAsync(first);
            await Eventually.TrueAsync(() => Task.FromResult(payEx.State.Requests.Count > 0), "processing to start");
            first.Terminate();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains("they go back to the queue", first.Output);
        }

        // Visible again at once, not only after its lease.
        var peeked = await storage.Queue.PeekMessagesAsync();
        Assert.Single(peeked.Value);
        Assert.Empty(await storage.RowsAsync(P));

        payEx.State.Latency = TimeSpan.Zero;
        await using var second = await AppProcess.StartAsync(settings);
        await storage.WaitForRowsAsync(P, _callback.RowKeys);
    }
}
