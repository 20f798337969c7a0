using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Pipeline;

/// <summary>
/// Storage going away mid-callback, and the process killed mid-callback: the message comes back
/// when its lease ends (3 s here) and is processed once.
/// </summary>
public class CrashAndOutageTests
{
    private readonly ExampleCallback _callback = new();

    private Guid P => _callback.Payment;

    private int PaymentGets(StandIn payEx) => _callback.PaymentGets(payEx).Count;

    // The first GET of the payment takes 2 s: time to pull the plug while it is in flight.
    private void ServeSlowly(StandIn payEx)
    {
        _callback.Serve(payEx);
        payEx.State.AddFault(new Fault { Path = _callback.PaymentPath, Status = 200, DelayMilliseconds = 2000, Remaining = 1 });
    }

    private static Dictionary<string, string?> WithShortLease(Dictionary<string, string?> settings)
    {
        settings["AzureFunctionsJobHost__extensions__queues__messageLease"] = "00:00:03";
        return settings;
    }

    [Fact]
    public async Task Storage_going_away_while_a_callback_is_processed_delays_it_until_storage_is_back()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync(azurite);
        ServeSlowly(payEx);
        await using var app = await AppProcess.StartAsync(WithShortLease(storage.Settings(payEx)));

        await _callback.AcknowledgeAsync(app);
        await Eventually.TrueAsync(() => Task.FromResult(PaymentGets(payEx) == 1), "processing to start");
        azurite.Stop();

        // Neither the rows nor the retry could be written: the attempt fails as a whole.
        await Eventually.TrueAsync(() => Task.FromResult(app.Output.Contains("failed (attempt 1 of 5)")), "the attempt to fail");
        await azurite.RestartAsync();

        var rows = await storage.WaitForRowsAsync(P, _callback.RowKeys);
        Assert.Equal(2, rows.Count);
        Assert.Equal(2, PaymentGets(payEx));
        Assert.Empty(await storage.DeadLettersAsync());
        await Eventually.TrueAsync(async () => await storage.ApproximateCountAsync(storage.Queue) == 0, "the message to be completed");
    }

    [Fact]
    public async Task A_process_killed_while_processing_leaves_the_callback_to_the_next_process_which_stores_it_once()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        ServeSlowly(payEx);
        var settings = WithShortLease(storage.Settings(payEx));
        await using (var first = await AppProcess.StartAsync(settings))
        {
            await _callback.AcknowledgeAsync(first);
            await Eventually.TrueAsync(() => Task.FromResult(PaymentGets(payEx) == 1), "processing to start");
            first.KillHard();
        }

        Assert.Empty(await storage.RowsAsync(P));
        await using var second = await AppProcess.StartAsync(settings);

        var rows = await storage.WaitForRowsAsync(P, _callback.RowKeys);
        Assert.Equal(_callback.RowKeys, rows.Keys.Order());
        Assert.Equal(2, PaymentGets(payEx));
        await Eventually.TrueAsync(async () => await storage.ApproximateCountAsync(storage.Queue) == 0, "the message to be completed");
        Assert.Empty(await storage.DeadLettersAsync());
    }
}
