using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Hosting;
using PayExCallbackFunctions.Retry;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Retry;

/// <summary>The retry path on its own, on real Azurite, with the clock in the test's hand.</summary>
public class RetryPathTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static RetryPath Path(TestStorage storage, TimeProvider time, int maxAttempts = 3)
    {
        var names = Options.Create(new StorageOptions { CallbackQueue = storage.QueueName, PaymentsTable = storage.TableName, DeadLettersTable = storage.DeadLettersTableName });
        var queues = new QueueServiceClient(storage.Azurite.ConnectionString);
        var tables = new TableServiceClient(storage.Azurite.ConnectionString);
        return new RetryPath(
            new CallbackQueue(queues, names),
            new RetrySchedule(Options.Create(new RetryOptions { Schedule = "00:00:03, 00:00:04", MaxAttempts = maxAttempts, Jitter = 0 })),
            new DeadLetterTable(tables, names, TestMetrics.Create()),
            TestMetrics.Create(),
            time,
            NullLogger<RetryPath>.Instance);
    }

    private static CallbackEnvelope Envelope(RetryState? retry = null) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Shape = CallbackShape.V1Nested,
        Payment = $"/psp/creditcard/payments/{Guid.NewGuid()}",
        ReceivedAt = Now.AddMinutes(-1),
        RawBody = "{}",
        Retry = retry,
    };

    [Fact]
    public async Task A_transient_failure_goes_back_on_the_queue_hidden_for_the_delay_with_its_attempt_and_error()
    {
        await using var storage = await TestStorage.CreateAsync();
        var time = new FakeTimeProvider(Now);
        var envelope = Envelope();

        var outcome = await Path(storage, time).FailedAsync(envelope, new Failure(FailureKind.Transient, "GET answered 503"), default);

        Assert.Equal(ProcessOutcome.Retried, outcome);
        // Hidden for seconds, not one: a slow storage round trip must not see it already visible.
        Assert.Empty(await TestStorage.PeekAsync(storage.Queue));
        var retried = JsonNode.Parse(await Eventually.GetAsync(async () => (await TestStorage.PeekAsync(storage.Queue)).SingleOrDefault(), "the retry to become visible after 3 s"))!;
        Assert.Equal(envelope.Id, retried["id"]!.GetValue<string>());
        var retry = retried["retry"]!;
        Assert.Equal(1, retry["attempts"]!.GetValue<int>());
        Assert.Equal(Now, retry["firstFailedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(Now.AddSeconds(3), retry["nextAttemptAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal("GET answered 503", retry["errors"]![0]!["error"]!.GetValue<string>());
        Assert.Empty(await storage.DeadLettersAsync());
    }

    [Fact]
    public async Task The_next_failure_keeps_when_failures_began_and_waits_the_next_delay()
    {
        await using var storage = await TestStorage.CreateAsync();
        var time = new FakeTimeProvider(Now.AddMinutes(5));
        var first = new RetryError(1, Now, FailureKind.Transient, "first");
        var envelope = Envelope(new RetryState { Attempts = 1, FirstFailedAt = Now, Errors = [first] });

        await Path(storage, time).FailedAsync(envelope, new Failure(FailureKind.Transient, "second"), default);

        var retried = JsonNode.Parse(await Eventually.GetAsync(async () => (await TestStorage.PeekAsync(storage.Queue)).SingleOrDefault(), "the retry to become visible after 4 s"))!;
        var retry = retried["retry"]!;
        Assert.Equal(2, retry["attempts"]!.GetValue<int>());
        Assert.Equal(Now, retry["firstFailedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(Now.AddMinutes(5).AddSeconds(4), retry["nextAttemptAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(["first", "second"], retry["errors"]!.AsArray().Select(e => e!["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_PayEx_Retry_After_longer_than_the_schedule_sets_the_next_attempt()
    {
        await using var storage = await TestStorage.CreateAsync();
        var time = new FakeTimeProvider(Now);
        var envelope = Envelope();

        await Path(storage, time).FailedAsync(envelope, new Failure(FailureKind.Transient, "429", TimeSpan.FromSeconds(5)), default);

        var retried = JsonNode.Parse(await Eventually.GetAsync(async () => (await TestStorage.PeekAsync(storage.Queue)).SingleOrDefault(), "the retry to become visible after 5 s"))!;
        Assert.Equal(Now.AddSeconds(5), retried["retry"]!["nextAttemptAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task The_last_attempt_failing_dead_letters_the_callback_with_the_last_five_errors()
    {
        await using var storage = await TestStorage.CreateAsync();
        var time = new FakeTimeProvider(Now.AddHours(80));
        var errors = Enumerable.Range(1, 5).Select(a => new RetryError(a, Now.AddHours(a), FailureKind.Transient, $"error {a}")).ToArray();
        var envelope = Envelope(new RetryState { Attempts = 5, FirstFailedAt = Now, Errors = errors });

        var outcome = await Path(storage, time, maxAttempts: 6).FailedAsync(envelope, new Failure(FailureKind.Transient, "error 6"), default);

        Assert.Equal(ProcessOutcome.DeadLettered, outcome);
        Assert.Empty(await TestStorage.PeekAsync(storage.Queue));
        var deadLetter = Assert.Single(await storage.DeadLettersAsync());
        Assert.Equal(envelope.Id, deadLetter.RowKey);
        Assert.Equal("Exhausted", deadLetter.GetString("Origin"));
        Assert.Equal(6, deadLetter.GetInt32("Attempts"));
        Assert.Equal(Now, deadLetter.GetDateTimeOffset("FirstFailedAt"));
        Assert.Equal(Now.AddHours(80), deadLetter.GetDateTimeOffset("DeadLetteredAt"));
        var history = JsonNode.Parse(deadLetter.GetString("Errors"))!.AsArray();
        Assert.Equal(["error 2", "error 3", "error 4", "error 5", "error 6"], history.Select(e => e!["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_permanent_failure_is_dead_lettered_at_the_first_attempt()
    {
        await using var storage = await TestStorage.CreateAsync();
        var envelope = Envelope();

        var outcome = await Path(storage, new FakeTimeProvider(Now)).FailedAsync(envelope, new Failure(FailureKind.Permanent, "GET answered 404"), default);

        Assert.Equal(ProcessOutcome.DeadLettered, outcome);
        var deadLetter = Assert.Single(await storage.DeadLettersAsync());
        Assert.Equal("Permanent", deadLetter.GetString("Origin"));
        Assert.Equal("GET answered 404", deadLetter.GetString("Reason"));
        Assert.Equal(1, deadLetter.GetInt32("Attempts"));
    }
}
