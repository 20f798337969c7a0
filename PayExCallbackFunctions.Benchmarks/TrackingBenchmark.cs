using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Azure;
using Azure.Data.Tables;
using PayExCallbackFunctions.PayExStandIn.Payments;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// Tracking: scheduled checks per second under the host against the ceiling of a raw GET and table write on the
/// same stand-in; storage requests per check (untimed, through <see cref="StorageTally"/>); and the cost of one sweep's
/// read of the due checks with 1,000 due, alone and among 99,000 due later.
/// </summary>
public static class TrackingBenchmark
{
    public const int Checks = 1000;
    public const int CountedChecks = 50;
    public const int Due = 1000;
    public const int Later = 99_000;
    private const int SweepRounds = 5;

    // As the app's ScheduledChecks: a partition per due minute, UTC.
    private static string Bucket(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    public static async Task<TrackingFigures> RunAsync(Bench bench, AppBuild app)
    {
        Console.Error.WriteLine($"Tracking: {Checks} checks due at once, under the host ...");
        var (perSecond, orders, cpu) = await ChecksAsync(bench, app, Checks, tally: null);
        Console.Error.WriteLine("Tracking: the raw ceiling (GET + table write, no host) ...");
        var raw = await RawAsync(bench, orders);
        Console.Error.WriteLine($"Tracking: storage requests per check ({CountedChecks} checks, untimed, through a counting proxy) ...");
        await using var tally = await StorageTally.StartAsync(bench.Azurite);
        var (_, _, _, counts) = await CountedAsync(bench, app, tally);
        Console.Error.WriteLine($"Tracking: one sweep's read of {Due} due checks, alone and among {Later:N0} due later ...");
        var alone = await SweepReadAsync(bench, 0);
        var among = await SweepReadAsync(bench, Later);
        return new TrackingFigures(perSecond, raw, cpu, counts, CountedChecks, alone, among);
    }

    private static async Task<(double, double, double, Dictionary<string, int>)> CountedAsync(Bench bench, AppBuild app, StorageTally tally)
    {
        var (perSecond, _, cpu) = await ChecksAsync(bench, app, CountedChecks, tally);
        return (perSecond, 0, cpu, tally.Take());
    }

    /// <summary>Payment orders paid at the stand-in, registered in the app's tables as never read, their checks due now.</summary>
    private static async Task<(double PerSecond, Guid[] Orders, double AzuriteMsPerCheck)> ChecksAsync(Bench bench, AppBuild app, int count, StorageTally? tally)
    {
        var name = $"{app.Name}-track{(tally is null ? "" : "-count")}";
        var settings = bench.Settings(name, processing: true);
        settings["PayExTrackingSweep"] = "* * * * * *";
        settings["Tracking__ChecksPerSecond"] = "1000";
        // Registered a minute ago, first check after 30 s: due now; the next, 30 s after each check.
        settings["Tracking__Schedule"] = "00:00:30";
        settings["Tracking__Concurrency"] = bench.Options.ProcessingConcurrency.ToString(CultureInfo.InvariantCulture);
        var payments = bench.Tables.GetTableClient(settings["Storage__PaymentsTable"]);
        var checks = bench.Tables.GetTableClient(settings["Storage__PaymentChecksTable"]);
        if (tally is not null)
        {
            settings["AzureWebJobsStorage"] = tally.ConnectionString;
        }

        var batch = Guid.NewGuid().ToString("N")[..8];
        var orders = Enumerable.Range(0, count).Select(i =>
        {
            var life = bench.Payments.Create(new NewPayment { Generation = "v3.1", Amount = 1500, OrderReference = $"track-{batch}-{i}" }, Generation.V31);
            bench.Payments.Step(life.OrderId!.Value, "authorize", null);
            return life.OrderId!.Value;
        }).ToArray();
        try
        {
            await using var host = HostRun.Start(app, settings, name);
            await host.WaitReadyAsync();
            await payments.CreateIfNotExistsAsync();
            await checks.CreateIfNotExistsAsync();
            var now = DateTimeOffset.UtcNow;
            // As a registration leaves a payment: a status row of version 0, tracked; then its check, due a minute ago.
            await Load.ClosedAsync(32, TimeSpan.FromMinutes(5), i => payments.AddEntityAsync(new TableEntity(orders[i].ToString("D"), "status")
            {
                ["Status"] = "pending",
                ["Version"] = 0L,
                ["PaymentOrder"] = $"/psp/paymentorders/{orders[i]:D}",
                ["Api"] = "paymentorder-3.1",
                ["CheckedAt"] = now,
                ["TrackedSince"] = now.AddMinutes(-1),
                ["Rows"] = "-",
            }), count);
            tally?.Take();
            var cpuBefore = HostRun.CpuTime(bench.AzuriteProcessId);
            var due = now.AddMinutes(-1);
            foreach (var chunk in orders.Chunk(100))
            {
                await checks.SubmitTransactionAsync(chunk.Select(id => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(Bucket(due), id.ToString("D")) { ["DueAt"] = due })));
            }

            var ids = orders.Select(o => o.ToString("D")).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var gets = await Eventually.GetAsync(() =>
            {
                var times = bench.StandIn.Requests
                    .Where(r => r.Method == "GET" && r.PathAndQuery.StartsWith("/psp/paymentorders/", StringComparison.Ordinal) && ids.Contains(r.PathAndQuery.Split('/', '?')[3]))
                    .Select(r => r.At)
                    .Order()
                    .ToArray();
                return Task.FromResult(times.Length >= count ? times : null);
            }, $"{count} checks", TimeSpan.FromMinutes(5));
            // Each check's write done: its reminder replaced by the next (a day later).
            await Eventually.TrueAsync(async () => !await checks.QueryAsync<TableEntity>(e => e.PartitionKey == Bucket(due), 1).AnyAsync(), "every check written", TimeSpan.FromMinutes(2));
            var cpu = (HostRun.CpuTime(bench.AzuriteProcessId) - cpuBefore).TotalMilliseconds / count;
            var seconds = (gets[^1] - gets[0]).TotalSeconds;
            return (seconds > 0 ? (count - 1) / seconds : double.NaN, orders, cpu);
        }
        finally
        {
            foreach (var table in new[] { payments, checks })
            {
                await table.DeleteAsync();
            }
        }
    }

    /// <summary>The same GETs and one table write each, from this process at the host's concurrency: the ceiling.</summary>
    private static async Task<double> RawAsync(Bench bench, Guid[] orders)
    {
        var table = bench.Tables.GetTableClient($"rawtrack{Guid.NewGuid():N}"[..20]);
        await table.CreateAsync();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = bench.Options.ProcessingConcurrency }) { BaseAddress = bench.StandInUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PayExStandIn.PayExStandIn.DefaultToken);
        try
        {
            var watch = Stopwatch.StartNew();
            var done = await Load.ClosedAsync(bench.Options.ProcessingConcurrency, TimeSpan.FromMinutes(5), async i =>
            {
                var body = await http.GetStringAsync($"/psp/paymentorders/{orders[i]:D}?$expand=paid,cancelled,reversed,failed,aborted,financialtransactions");
                await table.UpsertEntityAsync(new TableEntity(orders[i].ToString("D"), "status") { ["Json"] = body[..Math.Min(body.Length, 30_000)] });
            }, orders.Length);
            return done.Completed / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            await table.DeleteAsync();
        }
    }

    /// <summary>The sweep's read (the app's query: the minutes up to now, three columns) of <see cref="Due"/> due checks among <paramref name="later"/> due later.</summary>
    private static async Task<SweepRead> SweepReadAsync(Bench bench, int later)
    {
        var table = bench.Tables.GetTableClient($"sweep{Guid.NewGuid():N}"[..20]);
        await table.CreateAsync();
        try
        {
            var now = DateTimeOffset.UtcNow;
            // Due: spread over the last 10 minutes; later: over the next week, as a schedule of days leaves them.
            var entries = Enumerable.Range(0, Due).Select(i => (At: now.AddSeconds(-1 - (i % 600)), Id: Guid.NewGuid()))
                .Concat(Enumerable.Range(0, later).Select(i => (At: now.AddMinutes(2 + (i % 10_000)), Id: Guid.NewGuid())));
            var batches = entries.GroupBy(e => Bucket(e.At)).SelectMany(g => g.Chunk(100)).ToArray();
            await Load.ClosedAsync(16, TimeSpan.FromMinutes(10), i => table.SubmitTransactionAsync(batches[i].Select(e =>
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(Bucket(e.At), e.Id.ToString("D")) { ["DueAt"] = e.At }))), batches.Length);

            var counting = new RequestCount();
            var options = new TableClientOptions();
            options.AddPolicy(counting, Azure.Core.HttpPipelinePosition.PerRetry);
            var client = new TableClient(bench.Azurite.ConnectionString, table.Name, options);
            var filter = TableClient.CreateQueryFilter($"PartitionKey le {Bucket(now)}");
            var times = new List<double>();
            var cpu = TimeSpan.Zero;
            var found = 0;
            for (var round = 0; round < SweepRounds; round++)
            {
                var cpuBefore = HostRun.CpuTime(bench.AzuriteProcessId);
                var watch = Stopwatch.StartNew();
                found = 0;
                await foreach (var entry in client.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey", "DueAt"]))
                {
                    found += entry.GetDateTimeOffset("DueAt") <= now ? 1 : 0;
                }

                times.Add(watch.Elapsed.TotalMilliseconds);
                cpu += HostRun.CpuTime(bench.AzuriteProcessId) - cpuBefore;
            }

            return new SweepRead(later, found, (double)counting.Count / SweepRounds, times.Order().ElementAt(times.Count / 2), cpu.TotalMilliseconds / SweepRounds);
        }
        finally
        {
            await table.DeleteAsync();
        }
    }

    private sealed class RequestCount : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => _count;

        public override void OnSendingRequest(Azure.Core.HttpMessage message) => Interlocked.Increment(ref _count);
    }
}

/// <summary>One sweep's read: checks due later beside the due ones, due ones found, requests, median wall time and Azurite's CPU.</summary>
public sealed record SweepRead(int Later, int Found, double Requests, double Milliseconds, double AzuriteMilliseconds);

/// <summary>The tracking part's figures.</summary>
public sealed record TrackingFigures(double ChecksPerSecond, double RawPerSecond, double AzuriteMsPerCheck, Dictionary<string, int> Requests, int CountedChecks, SweepRead Alone, SweepRead Among)
{
    public string Table()
    {
        var perCheck = StorageRequests.TablePerCallback(Requests, CountedChecks);
        var queue = (double)Requests.Where(r => r.Key.StartsWith("queue", StringComparison.Ordinal)).Sum(r => r.Value) / CountedChecks;
        return string.Join('\n',
            "| Tracking | Baseline (same run) | The app, under the host | App ÷ baseline |",
            "| --- | --- | --- | --- |",
            string.Create(CultureInfo.InvariantCulture, $"| Checks per second: {TrackingBenchmark.Checks} v3.1 payment orders registered, their checks due at once, one sweep (Tracking__ChecksPerSecond 1000, concurrency 32) | raw GET + one table write at concurrency 32, no host: {RawPerSecond:F0}/s | {ChecksPerSecond:F0}/s; Azurite CPU {AzuriteMsPerCheck:F1} ms per check | **{ChecksPerSecond / RawPerSecond:F2}** |"),
            string.Create(CultureInfo.InvariantCulture, $"| Storage requests per check ({CountedChecks} checks, untimed, through a counting proxy; the sweep's idle queries included) | | {StorageRequests.Describe(Requests, CountedChecks)}{(queue > 0 ? $"; queue {queue:F1}" : "")} | **{perCheck:F1}** table requests |"),
            string.Create(CultureInfo.InvariantCulture, $"| One sweep's read of {TrackingBenchmark.Due:N0} due checks, {Among.Later:N0} more due later (median of 5) | the same {TrackingBenchmark.Due:N0} alone: {Alone.Requests:F1} requests, {Alone.Milliseconds:F0} ms, Azurite {Alone.AzuriteMilliseconds:F0} ms | found {Among.Found:N0}; {Among.Requests:F1} requests, {Among.Milliseconds:F0} ms, Azurite {Among.AzuriteMilliseconds:F0} ms | requests **{Among.Requests / Alone.Requests:F2}**, time {Among.Milliseconds / Alone.Milliseconds:F2} |"));
    }
}
