using System.Net;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Retry;

/// <summary>
/// PayEx failing for a while, end to end: the callback waits on the queue through the retry
/// schedule (1 s, 1 s, 2 s in tests) and is stored once PayEx answers again; what cannot succeed
/// is dead-lettered.
/// </summary>
public class PayExOutageTests
{
    private readonly ExampleCallback _callback = new();

    private Guid P => _callback.Payment;

    private string PaymentPath => _callback.PaymentPath;

    private static void AssertWaited(DateTimeOffset before, DateTimeOffset after, double seconds)
    {
        // The queue counts whole seconds from when the message was sent, a moment after the GET failed.
        Assert.True(after - before >= TimeSpan.FromSeconds(seconds - 0.1), $"the next attempt came {after - before} later, sooner than {seconds} s");
    }

    [Fact]
    public async Task PayEx_failing_with_5xx_for_a_while_is_retried_on_the_schedule_and_stored_once_it_recovers()
    {
        await using var run = await RunningApp.StartAsync(s => s["PayEx__QuickRetries"] = "0");
        _callback.Serve(run.PayEx);
        run.PayEx.State.AddFault(new Fault { Path = PaymentPath, Status = 500, Remaining = 1 });
        run.PayEx.State.AddFault(new Fault { Path = PaymentPath, Status = 502, Remaining = 1 });
        run.PayEx.State.AddFault(new Fault { Path = PaymentPath, Status = 503, Remaining = 1 });

        await _callback.AcknowledgeAsync(run.App);
        await run.Storage.WaitForRowsAsync(P, _callback.RowKeys);

        var gets = _callback.PaymentGets(run.PayEx);
        Assert.Equal(4, gets.Count);
        AssertWaited(gets[0], gets[1], 1);
        AssertWaited(gets[1], gets[2], 1);
        AssertWaited(gets[2], gets[3], 2);
        Assert.Contains("(attempt 3 of 6); next attempt in 00:00:02", run.App.Output);
        Assert.Empty(await run.Storage.DeadLettersAsync());
        Assert.Equal(0, await run.Storage.ApproximateCountAsync(run.Storage.Poison));
    }

    [Fact]
    public async Task A_429_is_tried_again_no_sooner_than_its_Retry_After_and_not_by_quick_retries()
    {
        await using var run = await RunningApp.StartAsync(_ => { });
        _callback.Serve(run.PayEx);
        run.PayEx.State.AddFault(new Fault { Path = PaymentPath, Status = 429, RetryAfterSeconds = 3, Remaining = 1 });

        await _callback.AcknowledgeAsync(run.App);
        await run.Storage.WaitForRowsAsync(P, _callback.RowKeys);

        var gets = _callback.PaymentGets(run.PayEx);
        Assert.Equal(2, gets.Count);
        AssertWaited(gets[0], gets[1], 3);
    }

    [Fact]
    public async Task A_PayEx_503_that_outlasts_the_quick_retries_is_logged_once_as_the_attempts_failure_not_by_the_resilience_pipeline()
    {
        // The default two quick retries: all three GETs of attempt 1 answer 503, attempt 2 stores.
        await using var run = await RunningApp.StartAsync(_ => { });
        _callback.Serve(run.PayEx);
        run.PayEx.State.AddFault(new Fault { Path = PaymentPath, Status = 503, Remaining = 3 });

        await _callback.AcknowledgeAsync(run.App);
        await run.Storage.WaitForRowsAsync(P, _callback.RowKeys);

        Assert.Equal(4, _callback.PaymentGets(run.PayEx).Count);
        var lines = run.App.Output.Split('\n');
        Assert.Single(lines, line => line.Contains("(attempt 1 of 6)", StringComparison.Ordinal) && line.Contains("warn:", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("Polly[", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PayEx_answering_too_slowly_is_retried_and_stored()
    {
        await using var run = await RunningApp.StartAsync(s =>
        {
            s["PayEx__QuickRetries"] = "0";
            // Long enough for the retried GET on a busy machine; the faulty one is cut off after it.
            s["PayEx__AttemptTimeoutSeconds"] = "4";
        });
        _callback.Serve(run.PayEx);
        run.PayEx.State.AddFault(new Fault { Path = PaymentPath, Status = 200, DelayMilliseconds = 30_000, Remaining = 1 });

        await _callback.AcknowledgeAsync(run.App);
        await run.Storage.WaitForRowsAsync(P, _callback.RowKeys);

        Assert.Equal(2, _callback.PaymentGets(run.PayEx).Count);
        Assert.Contains("(attempt 1 of 6)", run.App.Output);
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(false, 500)]
    public async Task PayEx_whose_answer_stalls_or_trickles_after_its_headers_is_retried_and_stored(bool stall, int byteIntervalMilliseconds)
    {
        await using var run = await RunningApp.StartAsync(s =>
        {
            s["PayEx__QuickRetries"] = "0";
            // Long enough for the retried GET on a busy machine; the faulty one is cut off after it.
            s["PayEx__AttemptTimeoutSeconds"] = "4";
        });
        _callback.Serve(run.PayEx);
        // 200 and its headers at once, then the body never completes (stalled, or one byte each half second).
        run.PayEx.State.AddFault(new Fault { Path = PaymentPath, Status = 200, StallBody = stall, BodyByteIntervalMilliseconds = byteIntervalMilliseconds, Remaining = 1 });

        await _callback.AcknowledgeAsync(run.App);
        await run.Storage.WaitForRowsAsync(P, _callback.RowKeys);

        Assert.Equal(2, _callback.PaymentGets(run.PayEx).Count);
        Assert.Contains("(attempt 1 of 6)", run.App.Output);
        Assert.Contains("no complete answer from PayEx in time", run.App.Output);
        Assert.Empty(await run.Storage.DeadLettersAsync());
    }

    [Fact]
    public async Task PayEx_refusing_connections_is_retried_until_it_listens_again()
    {
        await using var storage = await TestStorage.CreateAsync();
        var port = FreePort.Next();
        var settings = storage.Settings(new Uri($"http://127.0.0.1:{port}/"), StandIn.DefaultToken);
        settings["PayEx__QuickRetries"] = "0";
        // Attempts to spare (about 40 s of them), however slowly the stand-in comes up.
        settings["Retry__MaxAttempts"] = "20";
        await using var app = await HostProcess.StartAsync(settings);

        await _callback.AcknowledgeAsync(app);
        await app.WaitForOutputAsync("(attempt 2 of 20)");
        Assert.Empty(await storage.RowsAsync(P));

        await using var payEx = await StandIn.StartAsync(port: port);
        _callback.Serve(payEx);
        await storage.WaitForRowsAsync(P, _callback.RowKeys);
        Assert.Empty(await storage.DeadLettersAsync());
    }

    [Fact]
    public async Task A_wrong_token_is_retried_and_the_callback_stored_once_the_app_runs_with_the_right_one()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        _callback.Serve(payEx);
        var settings = storage.Settings(payEx);
        settings["PayEx__Token"] = "expired-token";
        // Attempts to spare, however slowly the instance stops: the callback must still be waiting for the next.
        settings["Retry__MaxAttempts"] = "20";
        await using (var wrong = await HostProcess.StartAsync(settings))
        {
            await _callback.AcknowledgeAsync(wrong);
            await wrong.WaitForOutputAsync("Check PayEx__Token");
            Assert.DoesNotContain("expired-token", wrong.Output);
            wrong.Terminate();
            await wrong.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        // The operator fixes the setting; the app restarts; the waiting callback goes through.
        settings["PayEx__Token"] = payEx.Token;
        await using var right = await HostProcess.StartAsync(settings);
        await storage.WaitForRowsAsync(P, _callback.RowKeys);
        Assert.Empty(await storage.DeadLettersAsync());
    }

    [Fact]
    public async Task A_callback_still_failing_when_the_schedule_runs_out_is_dead_lettered_with_its_error_history()
    {
        await using var run = await RunningApp.StartAsync(s =>
        {
            s["PayEx__QuickRetries"] = "0";
            s["Retry__MaxAttempts"] = "3";
        });
        _callback.Serve(run.PayEx);
        run.PayEx.State.AddFault(new Fault { Path = PaymentPath, Status = 503, Remaining = int.MaxValue });

        var id = await _callback.AcknowledgeAsync(run.App);
        var deadLetter = await Eventually.GetAsync(async () => (await run.Storage.DeadLettersAsync()).SingleOrDefault(), "the dead letter");

        Assert.Equal(id, deadLetter.RowKey);
        Assert.Equal("Exhausted", deadLetter.GetString("Origin"));
        Assert.Equal(3, deadLetter.GetInt32("Attempts"));
        var errors = JsonNode.Parse(deadLetter.GetString("Errors"))!.AsArray();
        Assert.Equal([1, 2, 3], errors.Select(e => e!["attempt"]!.GetValue<int>()));
        Assert.All(errors, e => Assert.Contains("503", e!["error"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Equal(3, _callback.PaymentGets(run.PayEx).Count);
        await Eventually.TrueAsync(async () => await run.Storage.ApproximateCountAsync(run.Storage.Queue) == 0, "the message to be completed after its dead letter");
        await run.App.WaitForOutputAsync($"Callback {id} was dead-lettered (Exhausted) after 3 attempts");
        Assert.Empty(await run.Storage.RowsAsync(P));
    }

    [Fact]
    public async Task A_404_is_dead_lettered_at_once_and_a_replay_after_PayEx_has_it_stores_it()
    {
        await using var run = await RunningApp.StartAsync(_ => { });
        run.PayEx.State.PutResource(_callback.Examples.Resource("transaction-authorization-creditcard.docs.json"));

        var id = await _callback.AcknowledgeAsync(run.App);
        var deadLetter = await Eventually.GetAsync(async () => (await run.Storage.DeadLettersAsync()).SingleOrDefault(), "the dead letter");
        Assert.Equal("Permanent", deadLetter.GetString("Origin"));
        Assert.Contains("404", deadLetter.GetString("Reason"), StringComparison.Ordinal);
        Assert.Single(_callback.PaymentGets(run.PayEx));

        _callback.Serve(run.PayEx);
        using var replay = new HttpRequestMessage(HttpMethod.Post, $"/api/payex/deadletters/{id}/replay");
        replay.Headers.Add("x-functions-key", HostProcess.TestMasterKey);
        using var response = await run.App.Http.SendAsync(replay);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var rows = await run.Storage.WaitForRowsAsync(P, _callback.RowKeys);
        Assert.Equal(id, rows[$"payment-{P}"].GetString("CallbackId"));
        Assert.Empty(await run.Storage.DeadLettersAsync());
    }
}
