using System.Diagnostics;
using Azure.Data.Tables;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// (2) Processing throughput under the host, in the two phases of a card payment's life (<see cref="PaymentLives"/>):
/// the authorization callbacks (payments not stored yet), then the capture callbacks (a second callback for a
/// stored payment). Per phase, the callbacks are queued first (through the app, processing disabled), then a
/// host with processing enabled, its queue trigger's concurrency set by host.json's batchSize and
/// newBatchThreshold (environment overrides), drains them while PayEx answers each GET after the delay.
/// Against the ideal min(concurrency / delay, raw storage pipeline), the latter measured once per concurrency
/// (<see cref="RawPipelineAsync"/>) for every build measured at it.
/// </summary>
public static class ProcessingBenchmark
{
    public static async Task<AppProcessing> RunAsync(Bench bench, AppBuild build)
    {
        var options = bench.Options;
        var name = $"{build.Name}-{options.ProcessingConcurrency}";
        bench.StandIn.Latency = TimeSpan.Zero;
        var lives = new PaymentLives(bench.Payments, options.Callbacks * 100 / (100 + options.CapturedPercent), options.CapturedPercent);
        var settings = bench.Settings(name, processing: true);
        var queue = bench.Queues.GetQueueClient(settings["PayExCallbackQueue"]);
        var table = bench.Tables.GetTableClient(settings["Storage__PaymentsTable"]);
        try
        {
            await QueueAsync(bench, build, name, lives.Authorize());
            var envelope = (await queue.PeekMessageAsync()).Value.Body.ToString();
            var authorized = await DrainAsync(bench, build, settings, lives.Count, $"{name}-new");
            await CheckAsync(table, build, lives.Count, 0);

            await QueueAsync(bench, build, name, lives.Capture());
            var captured = await DrainAsync(bench, build, settings, lives.Captured, $"{name}-second");
            await CheckAsync(table, build, lives.Count, lives.Captured);

            return new AppProcessing(build, authorized, captured, await TemplatesAsync(table), envelope);
        }
        finally
        {
            // Each build meets an Azurite of the same size.
            await queue.DeleteIfExistsAsync();
            foreach (var key in new[] { "Storage__PaymentsTable", "Storage__DeadLettersTable", "Storage__RejectedCallbacksTable", "Storage__PaymentReferencesTable" })
            {
                try
                {
                    await bench.Tables.DeleteTableAsync(settings[key]);
                }
                catch (Azure.RequestFailedException e) when (e.Status == 404)
                {
                    // Never made (the app before issue 24 has no reference index).
                }
            }
        }
    }

    /// <summary>Queues the callbacks through the app itself, so that the envelopes are the app's.</summary>
    private static async Task QueueAsync(Bench bench, AppBuild build, string name, byte[][] callbacks)
    {
        await using var intake = HostRun.Start(build, bench.Settings(name, processing: false), $"{name}-intake");
        await intake.WaitReadyAsync();
        using var http = Bench.CallbackClient(intake.BaseUrl, bench.Options.Concurrency);
        var queued = await Load.ClosedAsync(bench.Options.Concurrency, TimeSpan.FromMinutes(5), i => Bench.PostCallbackAsync(http, callbacks[i]), callbacks.Length);
        if (queued.Completed != callbacks.Length)
        {
            throw new InvalidOperationException($"Only {queued.Completed} of {callbacks.Length} callbacks were acknowledged.");
        }
    }

    /// <summary>
    /// Starts a host that processes, and times it from the moment the first tenth of the callbacks are done (a fresh
    /// host's start, its JIT and its first connections are not processing's) to the queue being empty (a message is
    /// deleted once its rows are stored): the callbacks left at the start over the time they took.
    /// </summary>
    private static async Task<PhaseFigures> DrainAsync(Bench bench, AppBuild build, Dictionary<string, string> settings, int callbacks, string logName)
    {
        var queue = bench.Queues.GetQueueClient(settings["PayExCallbackQueue"]);
        var warmUp = Math.Min(callbacks / 2, Math.Max(50, callbacks / 10));
        bench.StandIn.Latency = bench.Options.PayExDelay;
        var since = DateTimeOffset.UtcNow;
        try
        {
            await using var app = HostRun.Start(build, settings, logName);
            var watch = Stopwatch.StartNew();
            (int Left, Stopwatch Watch, (TimeSpan Host, TimeSpan Worker, TimeSpan Storage) Cpu)? start = null;
            int left;
            while ((left = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount) > 0)
            {
                if (start is null && left <= callbacks - warmUp)
                {
                    start = (left, Stopwatch.StartNew(), Cpu(bench, app));
                }

                if (watch.Elapsed > TimeSpan.FromMinutes(5))
                {
                    throw new TimeoutException("The callbacks were not processed within 5 minutes; see artifacts/benchmark/logs.");
                }

                await Task.Delay(20);
            }

            var (measured, elapsed, first) = start is { } s ? (s.Left, s.Watch.Elapsed, s.Cpu) : throw new InvalidOperationException("The queue emptied between two looks.");
            var now = Cpu(bench, app);
            var gets = bench.StandIn.Requests.Count(r => r.At >= since);
            return new PhaseFigures(
                callbacks,
                measured,
                elapsed,
                (now.Host - first.Host).TotalMicroseconds / measured,
                (now.Worker - first.Worker).TotalMicroseconds / measured,
                (now.Storage - first.Storage).TotalMicroseconds / measured,
                (double)gets / callbacks,
                app.PeakRssMiB());
        }
        finally
        {
            bench.StandIn.Latency = TimeSpan.Zero;
        }
    }

    private static (TimeSpan Host, TimeSpan Worker, TimeSpan Storage) Cpu(Bench bench, HostRun app)
    {
        var (host, worker) = app.CpuTime();
        return (host, worker, bench.AzuriteProcessId > 0 ? HostRun.CpuTime(bench.AzuriteProcessId) : default);
    }

    /// <summary>
    /// Every callback stored: a payment row and a transaction row per payment, a capture row per captured payment,
    /// and, from an app that derives it (the working tree's; a revision's if it has any), a status per payment,
    /// captured where captured.
    /// </summary>
    private static async Task CheckAsync(TableClient table, AppBuild build, int payments, int captured)
    {
        var (resources, statuses, capturedStatuses) = (0, 0, 0);
        await foreach (var row in table.QueryAsync<TableEntity>(select: ["RowKey", "Status"]))
        {
            if (row.RowKey == "status")
            {
                statuses++;
                capturedStatuses += row.GetString("Status") == "captured" ? 1 : 0;
            }
            else
            {
                resources++;
            }
        }

        var expectStatus = build.Revision is null || statuses > 0;
        if (resources != 2 * payments + captured || (expectStatus && (statuses != payments || capturedStatuses != captured)))
        {
            throw new InvalidOperationException(
                $"{build.Name}: expected {2 * payments + captured} resource rows{(expectStatus ? $" and {payments} statuses, {captured} of them captured" : "")}; " +
                $"found {resources} resource rows and {statuses} statuses, {capturedStatuses} captured. See artifacts/benchmark/logs.");
        }
    }

    /// <summary>A payment row and a transaction row as the app stored them, to write copies of.</summary>
    private static async Task<List<TableEntity>> TemplatesAsync(TableClient stored)
    {
        var first = await stored.QueryAsync<TableEntity>(maxPerPage: 1).FirstAsync();
        var rows = await stored.QueryAsync<TableEntity>(e => e.PartitionKey == first.PartitionKey).ToListAsync();
        return [rows.First(r => r.RowKey.StartsWith("payment", StringComparison.Ordinal)), rows.First(r => r.RowKey.StartsWith("transaction-", StringComparison.Ordinal))];
    }

    private static TableTransactionAction[] Copies(List<TableEntity> templates)
    {
        var key = Guid.NewGuid().ToString("D");
        return templates.Select(t => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(t) { PartitionKey = key, ETag = default })).ToArray();
    }

    /// <summary>
    /// The storage work of processing and nothing else, per second: <paramref name="count"/> of the app's envelopes
    /// queued, received in batches as the host does, each one's payment and transaction row written in one
    /// transaction (as the app before issue 24 wrote a new payment) and its message deleted.
    /// </summary>
    public static async Task<double> RawPipelineAsync(Bench bench, AppProcessing app, int count)
    {
        var options = bench.Options;
        var name = $"raw-{options.ProcessingConcurrency}";
        var queue = bench.Queues.GetQueueClient(name);
        await queue.CreateIfNotExistsAsync();
        await Load.ClosedAsync(options.Concurrency, TimeSpan.FromMinutes(5), _ => queue.SendMessageAsync(app.Envelope), count);
        var table = bench.Tables.GetTableClient(name.Replace("-", "", StringComparison.Ordinal));
        await table.CreateIfNotExistsAsync();

        var received = System.Threading.Channels.Channel.CreateBounded<Azure.Storage.Queues.Models.QueueMessage>(options.ProcessingConcurrency);
        var watch = Stopwatch.StartNew();
        var receiver = Task.Run(async () =>
        {
            var taken = 0;
            while (taken < count)
            {
                foreach (var message in (await queue.ReceiveMessagesAsync(options.BatchSize, TimeSpan.FromMinutes(5))).Value)
                {
                    await received.Writer.WriteAsync(message);
                    taken++;
                }
            }

            received.Writer.Complete();
        });
        var workers = Enumerable.Range(0, options.ProcessingConcurrency).Select(_ => Task.Run(async () =>
        {
            await foreach (var message in received.Reader.ReadAllAsync())
            {
                await table.SubmitTransactionAsync(Copies(app.Templates));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }));
        await Task.WhenAll([receiver, .. workers]);
        var perSecond = count / watch.Elapsed.TotalSeconds;
        await queue.DeleteAsync();
        await table.DeleteAsync();
        return perSecond;
    }
}

/// <summary>One phase of processing, past its warm-up: <paramref name="Callbacks"/> drained in <paramref name="Elapsed"/>, the CPU each cost (µs), the GETs PayEx answered per callback, the host's and worker's peak memory.</summary>
public sealed record PhaseFigures(int Queued, int Callbacks, TimeSpan Elapsed, double HostCpu, double WorkerCpu, double StorageCpu, double PayExGets, (double Host, double Worker) PeakRssMiB)
{
    public double PerSecond => Callbacks / Elapsed.TotalSeconds;

    /// <summary>Several rounds' phases as one: all their callbacks over all their time, CPU and GETs per callback over all callbacks.</summary>
    public static PhaseFigures Pool(IReadOnlyList<PhaseFigures> phases)
    {
        var callbacks = phases.Sum(p => p.Callbacks);
        double Weighted(Func<PhaseFigures, double> figure) => phases.Sum(p => figure(p) * p.Callbacks) / callbacks;
        return new PhaseFigures(
            phases.Sum(p => p.Queued),
            callbacks,
            TimeSpan.FromTicks(phases.Sum(p => p.Elapsed.Ticks)),
            Weighted(p => p.HostCpu),
            Weighted(p => p.WorkerCpu),
            Weighted(p => p.StorageCpu),
            phases.Sum(p => p.PayExGets * p.Queued) / phases.Sum(p => p.Queued),
            (phases.Max(p => p.PeakRssMiB.Host), phases.Max(p => p.PeakRssMiB.Worker)));
    }
}

/// <summary>One build's processing: new payments, then second callbacks; with rows and an envelope as it stored and queued them, for the raw pipeline.</summary>
public sealed record AppProcessing(AppBuild Build, PhaseFigures New, PhaseFigures Second, List<TableEntity> Templates, string Envelope)
{
    public int Queued => New.Queued + Second.Queued;

    public int Callbacks => New.Callbacks + Second.Callbacks;

    public TimeSpan Elapsed => New.Elapsed + Second.Elapsed;

    public double PerSecond => Callbacks / Elapsed.TotalSeconds;

    public double HostCpu => Weighted(p => p.HostCpu);

    public double WorkerCpu => Weighted(p => p.WorkerCpu);

    public double StorageCpu => Weighted(p => p.StorageCpu);

    public double PayExGets => Weighted(p => p.PayExGets);

    public (double Host, double Worker) PeakRssMiB => (Math.Max(New.PeakRssMiB.Host, Second.PeakRssMiB.Host), Math.Max(New.PeakRssMiB.Worker, Second.PeakRssMiB.Worker));

    private double Weighted(Func<PhaseFigures, double> figure) => (figure(New) * New.Callbacks + figure(Second) * Second.Callbacks) / Callbacks;

    /// <summary>One build's rounds as one.</summary>
    public static AppProcessing Pool(IReadOnlyList<AppProcessing> rounds) => rounds.Count == 1 ? rounds[0] : rounds[0] with
    {
        New = PhaseFigures.Pool([.. rounds.Select(r => r.New)]),
        Second = PhaseFigures.Pool([.. rounds.Select(r => r.Second)]),
    };
}

/// <summary>
/// Processing at one concurrency: the app, and the app at each revision asked for (--before), each pooled over the
/// rounds, against one raw pipeline.
/// </summary>
public sealed record ProcessingFigures(int Concurrency, int BatchSize, int NewBatchThreshold, TimeSpan PayExDelay, double RawPipelinePerSecond, AppProcessing App, IReadOnlyList<RevisionFigures> Revisions)
{
    public double ConcurrencyBound => Concurrency / PayExDelay.TotalSeconds;

    /// <summary>What an app could reach at best: bounded by its concurrency over PayEx's delay, and by the storage work per callback.</summary>
    public double Ideal => Math.Min(ConcurrencyBound, RawPipelinePerSecond);

    public double Ratio(AppProcessing app) => app.PerSecond / Ideal;
}

/// <summary>The app at an earlier revision, pooled over the rounds; <paramref name="RoundRatios"/>: the app's throughput over its, round by round.</summary>
public sealed record RevisionFigures(AppProcessing Processing, IReadOnlyList<double> RoundRatios);
