using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// Storage requests per callback, untimed: a few payments' lives (<see cref="PaymentLives"/>) processed by a host
/// whose queues and tables are reached through <see cref="StorageTally"/>, each phase counted from its first
/// callback queued to its last message deleted (the host deletes a message once its rows are stored).
/// </summary>
public static class StorageRequestsBenchmark
{
    public const int Payments = 50;

    public static async Task<StorageRequests> RunAsync(Bench bench, AppBuild build)
    {
        var options = bench.Options;
        var name = $"{build.Name}-count";
        await using var tally = await StorageTally.StartAsync(bench.Azurite);
        var settings = bench.Settings(name, processing: true);
        settings["AzureWebJobsStorage"] = tally.ConnectionString;
        var lives = new PaymentLives(bench.Payments, Payments, options.CapturedPercent);
        try
        {
            await using var intake = HostRun.Start(build, bench.Settings(name, processing: false), $"{name}-intake");
            await using var app = HostRun.Start(build, settings, name);
            await Task.WhenAll(intake.WaitReadyAsync(), app.WaitReadyAsync());
            using var http = Bench.CallbackClient(intake.BaseUrl, options.Concurrency);
            var authorized = await CountAsync(tally, http, lives.Authorize(), options.Concurrency);
            var captured = await CountAsync(tally, http, lives.Capture(), options.Concurrency);
            return new StorageRequests(build, lives.Count, authorized, lives.Captured, captured);
        }
        finally
        {
            await bench.Queues.GetQueueClient(settings["PayExCallbackQueue"]).DeleteIfExistsAsync();
            foreach (var key in new[] { "Storage__PaymentsTable", "Storage__DeadLettersTable", "Storage__RejectedCallbacksTable", "Storage__PaymentReferencesTable" })
            {
                try
                {
                    await bench.Tables.DeleteTableAsync(settings[key]);
                }
                catch (Azure.RequestFailedException e) when (e.Status == 404)
                {
                }
            }
        }
    }

    private static async Task<Dictionary<string, int>> CountAsync(StorageTally tally, HttpClient http, byte[][] callbacks, int concurrency)
    {
        // What the host did while starting or waiting is not the callbacks'.
        tally.Take();
        var queued = await Load.ClosedAsync(concurrency, TimeSpan.FromMinutes(2), i => Bench.PostCallbackAsync(http, callbacks[i]), callbacks.Length);
        if (queued.Completed != callbacks.Length)
        {
            throw new InvalidOperationException($"Only {queued.Completed} of {callbacks.Length} callbacks were acknowledged.");
        }

        await Eventually.TrueAsync(() => Task.FromResult(tally.Count("queue delete") >= callbacks.Length), $"{callbacks.Length} callbacks processed", TimeSpan.FromMinutes(2));
        return tally.Take();
    }
}

/// <summary>The storage requests of one build's processing, by kind, for new payments and for second callbacks.</summary>
public sealed record StorageRequests(AppBuild Build, int NewCallbacks, Dictionary<string, int> New, int SecondCallbacks, Dictionary<string, int> Second)
{
    /// <summary>Table requests per callback (reads, writes, and those that failed); the queue's are the host's, the same for every build.</summary>
    public static double TablePerCallback(Dictionary<string, int> counts, int callbacks) =>
        (double)counts.Where(c => c.Key.StartsWith("table", StringComparison.Ordinal)).Sum(c => c.Value) / callbacks;

    /// <summary>E.g. "3.0 point reads (1.0 404), 1.0 insert, 1.0 transaction".</summary>
    public static string Describe(Dictionary<string, int> counts, int callbacks) => string.Join(", ", counts
        .Where(c => c.Key.StartsWith("table", StringComparison.Ordinal))
        .OrderBy(c => c.Key, StringComparer.Ordinal)
        .Select(c => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(double)c.Value / callbacks:F1} {c.Key["table ".Length..]}")));
}
