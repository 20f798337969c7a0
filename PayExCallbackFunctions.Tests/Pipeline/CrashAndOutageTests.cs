using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Pipeline;

/// <summary>
/// Under the host: storage going away mid-callback, the worker killed, the whole instance killed.
/// Nothing is lost and each callback is stored once. The host leases a message it hands to the
/// worker for 10 minutes; where a test needs that lease to end, Azurite's clock for the message is
/// moved on (<see cref="Azurite.ExpireQueueLeasesAsync"/>).
/// </summary>
public class CrashAndOutageTests
{
    private readonly ExampleCallback _callback = new();

    private Guid P => _callback.Payment;

    private int PaymentGets(StandIn payEx) => _callback.PaymentGets(payEx).Count;

    // The first GETs of the payment take 8 s each (under PayEx__AttemptTimeoutSeconds' 10): time to pull the plug while
    // one is in flight, even on a machine that stalls for seconds.
    private void ServeSlowly(StandIn payEx, int slowGets = 1)
    {
        _callback.Serve(payEx);
        payEx.State.AddFault(new Fault { Path = _callback.PaymentPath, Status = 200, DelayMilliseconds = 8000, Remaining = slowGets });
    }

    private async Task AssertStoredOnceAsync(StandIn payEx, TestStorage storage, int gets)
    {
        var rows = await storage.WaitForRowsAsync(P, _callback.RowKeys);
        Assert.Equal(_callback.RowKeys.Order(), rows.Keys.Order());
        await Eventually.TrueAsync(async () => await storage.ApproximateCountAsync(storage.Queue) == 0, "the message to be completed");
        Assert.Equal(gets, PaymentGets(payEx));
        Assert.Empty(await storage.DeadLettersAsync());
        Assert.Equal(0, await storage.ApproximateCountAsync(storage.Poison));
    }

    [Fact]
    public async Task Storage_going_away_while_a_callback_is_processed_delays_it_until_storage_is_back()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync(azurite);
        ServeSlowly(payEx);
        await using var app = await HostProcess.StartAsync(storage.Settings(payEx));

        await _callback.AcknowledgeAsync(app);
        await Eventually.TrueAsync(() => Task.FromResult(PaymentGets(payEx) == 1), "processing to start");
        azurite.Stop();

        // Neither the rows nor the retry could be written: the invocation fails, and the host cannot give the message back.
        await app.WaitForOutputAsync("Executed 'Functions.ProcessPayExCallback' (Failed", TimeSpan.FromSeconds(90));
        await azurite.ExpireQueueLeasesAsync();

        await AssertStoredOnceAsync(payEx, storage, gets: 2);
    }

    [Fact]
    public async Task A_worker_killed_while_processing_is_restarted_by_the_host_which_delivers_the_callback_again_and_it_is_stored_once()
    {
        await using var app = await RunningApp.StartAsync(_ => { });
        ServeSlowly(app.PayEx);
        var worker = app.App.WorkerProcessId;

        await _callback.AcknowledgeAsync(app.App);
        await Eventually.TrueAsync(() => Task.FromResult(PaymentGets(app.PayEx) == 1), "processing to start");
        app.App.KillWorker();

        await AssertStoredOnceAsync(app.PayEx, app.Storage, gets: 2);
        await Eventually.TrueAsync(() => Task.FromResult(app.App.WorkerProcessId is > 0 and var now && now != worker), "a new worker");
    }

    [Fact]
    public async Task A_callback_whose_worker_dies_on_every_delivery_goes_to_the_poison_queue_and_becomes_a_replayable_dead_letter()
    {
        await using var app = await RunningApp.StartAsync(s => s["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = "2");
        ServeSlowly(app.PayEx, slowGets: 2);

        var id = await _callback.AcknowledgeAsync(app.App);
        for (var delivery = 1; delivery <= 2; delivery++)
        {
            await Eventually.TrueAsync(() => Task.FromResult(PaymentGets(app.PayEx) == delivery), $"delivery {delivery} to start");
            try
            {
                await Eventually.TrueAsync(() => Task.FromResult(app.App.WorkerProcessId > 0), "a worker to kill");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}\n{app.App.ProcessTree()}", e);
            }

            app.App.KillWorker();
        }

        var deadLetter = await Eventually.GetAsync(async () => (await app.Storage.DeadLettersAsync()).SingleOrDefault(), "the poisoned callback among the dead letters");
        Assert.Equal(id, deadLetter.RowKey);
        Assert.Equal("Poison", deadLetter.GetString("Origin"));
        Assert.Empty(await app.Storage.RowsAsync(P));
        await Eventually.TrueAsync(async () => await app.Storage.ApproximateCountAsync(app.Storage.Poison) == 0, "the poison queue to be emptied");

        using var replay = await app.PostAsync($"/api/payex/deadletters/{id}/replay", [], null);
        Assert.Equal(System.Net.HttpStatusCode.OK, replay.StatusCode);
        await app.Storage.WaitForRowsAsync(P, _callback.RowKeys);
    }

    [Fact]
    public async Task An_instance_killed_while_processing_leaves_the_callback_to_the_next_instance_which_stores_it_once()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync(azurite);
        ServeSlowly(payEx);
        var settings = storage.Settings(payEx);
        await using (var first = await HostProcess.StartAsync(settings))
        {
            await _callback.AcknowledgeAsync(first);
            await Eventually.TrueAsync(() => Task.FromResult(PaymentGets(payEx) == 1), "processing to start");
            first.KillHost();
        }

        Assert.Empty(await storage.RowsAsync(P));
        Assert.Equal(1, await storage.ApproximateCountAsync(storage.Queue));
        await azurite.ExpireQueueLeasesAsync();
        await using var second = await HostProcess.StartAsync(settings);

        await AssertStoredOnceAsync(payEx, storage, gets: 2);
    }
}
