using System.Diagnostics;
using Azure.Data.Tables;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// (2) Processing throughput under the host, in the two phases of a card payment's life (<see cref="PaymentLives"/>):
/// the authorization callbacks (payments not stored yet), then the capture callbacks (a second callback for a
/// stored payment). One host processes, its queue trigger's concurrency set by host.json's batchSize and
/// newBatchThreshold (environment overrides), while PayEx answers each GET after the delay; a second host,
/// processing disabled, queues the callbacks (so that the envelopes are the app's) on a holding queue, from which
/// they are released onto the processing queue all at once. The processing host is warmed up first with a few
/// payments' lives, until its and its worker's tiered JIT is idle: a fresh host compiles for many seconds, and its
/// JIT would count against whichever build runs more code. Against the ideal min(concurrency / delay, raw storage
/// pipeline), the latter measured once per concurrency (<see cref="RawPipelineAsync"/>) for every build at it. An
/// order system consumes the events queue meanwhile (<see cref="EventsConsumer"/>), on the same Azurite.
/// </summary>
public static class ProcessingBenchmark
{
    public static async Task<AppProcessing> RunAsync(Bench bench, AppBuild build)
    {
        var options = bench.Options;
        var name = $"{build.Name}-{options.ProcessingConcurrency}";
        bench.StandIn.Latency = TimeSpan.Zero;
        var payments = options.Callbacks * 100 / (100 + options.CapturedPercent);
        var lives = new PaymentLives(bench.Payments, payments, options.CapturedPercent);
        var settings = bench.Settings(name, processing: true);
        var intakeSettings = bench.Settings(name, processing: false);
        intakeSettings["PayExCallbackQueue"] = $"{name}-hold";
        var queue = bench.Queues.GetQueueClient(settings["PayExCallbackQueue"]);
        var hold = bench.Queues.GetQueueClient(intakeSettings["PayExCallbackQueue"]);
        var table = bench.Tables.GetTableClient(settings["Storage__PaymentsTable"]);
        try
        {
            await using var intake = HostRun.Start(build, intakeSettings, $"{name}-intake");
            await using var app = HostRun.Start(build, settings, name);
            await Task.WhenAll(intake.WaitReadyAsync(), app.WaitReadyAsync());
            using var http = Bench.CallbackClient(intake.BaseUrl, options.Concurrency);
            await using var orderSystem = EventsConsumer.Start(bench.Queues.GetQueueClient(settings["Events__Queue"]));

            bench.StandIn.Latency = options.PayExDelay;
            var warmedUp = await WarmUpAsync(bench, app, http, hold, queue);
            var envelope = "";
            var phases = new List<PhaseFigures>();
                    foreach (var (callbacks, payment, captured, phase) in new (Func<byte[][]>, int, int, string)[] { (lives.Authorize, lives.Count, 0, "new"), (lives.Capture, lives.Count, lives.Captured, "second") })
            {
                var count = await QueueAsync(bench, http, callbacks());
                envelope = envelope.Length > 0 ? envelope : (await hold.PeekMessageAsync()).Value.Body.ToString();
                // Visible all at once, after the last is moved: the move's own requests are not processing's.
                await ReleaseAsync(hold, queue, count, TimeSpan.FromSeconds(2) + (count * TimeSpan.FromMilliseconds(4)));
                phases.Add(await DrainAsync(bench, app, queue, count, $"{name}-{phase}"));
                await CheckAsync(table, build, warmedUp + payment, warmedUp + captured);
            }

            return new AppProcessing(build, phases[0], phases[1], await TemplatesAsync(table), envelope);
        }
        finally
        {
            bench.StandIn.Latency = TimeSpan.Zero;
            // Each build meets an Azurite of the same size.
            await queue.DeleteIfExistsAsync();
            await hold.DeleteIfExistsAsync();
            // What the consumer left: a build's events slowed Azurite's queue operations for the builds after it.
            await bench.Queues.GetQueueClient(settings["Events__Queue"]).DeleteIfExistsAsync();
            foreach (var key in new[] { "Storage__PaymentsTable", "Storage__DeadLettersTable", "Storage__RejectedCallbacksTable", "Storage__PaymentReferencesTable", "Storage__PaymentChecksTable" })
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

    /// <summary>
    /// Rounds of a few payments' lives (authorized, then captured), untimed, until a round leaves the host's and the
    /// worker's tiered JIT idle: it recompiles hot methods only once they have been called often enough after a delay
    /// that start-up keeps extending, so it goes on for many seconds under load, and would stop only to start again at
    /// the first measured callbacks if the warm-up stopped at the first idle second. The payments it stored.
    /// </summary>
    private static async Task<int> WarmUpAsync(Bench bench, HostRun app, HttpClient http, Azure.Storage.Queues.QueueClient hold, Azure.Storage.Queues.QueueClient queue)
    {
        const int Payments = 50;
        var jit = app.JitCpuTime();
        for (var round = 1; round <= 20; round++)
        {
            var lives = new PaymentLives(bench.Payments, Payments, 100);
            foreach (var callbacks in new Func<byte[][]>[] { lives.Authorize, lives.Capture })
            {
                var count = await QueueAsync(bench, http, callbacks());
                await ReleaseAsync(hold, queue, count, TimeSpan.Zero);
                await Eventually.TrueAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "the warm-up processed", TimeSpan.FromMinutes(5));
            }

            var now = app.JitCpuTime();
            if (now - jit < TimeSpan.FromMilliseconds(30))
            {
                Console.Error.WriteLine($"  warmed up: {round} rounds of {Payments} payments' lives, {now.TotalSeconds:F1} s of JIT");
                return round * Payments;
            }

            jit = now;
        }

        Console.Error.WriteLine("The JIT was still busy after 20 rounds of warm-up; measuring all the same.");
        return 20 * Payments;
    }

    /// <summary>Posts the callbacks to the intake host, which queues them on the holding queue; how many it acknowledged, all or an exception.</summary>
    private static async Task<int> QueueAsync(Bench bench, HttpClient http, byte[][] callbacks)
    {
        var queued = await Load.ClosedAsync(bench.Options.Concurrency, TimeSpan.FromMinutes(5), i => Bench.PostCallbackAsync(http, callbacks[i]), callbacks.Length);
        return queued.Completed == callbacks.Length
            ? queued.Completed
            : throw new InvalidOperationException($"Only {queued.Completed} of {callbacks.Length} callbacks were acknowledged.");
    }

    /// <summary>Moves <paramref name="count"/> messages as they are from the holding queue to the processing queue, all visible <paramref name="delay"/> from now.</summary>
    private static async Task ReleaseAsync(Azure.Storage.Queues.QueueClient hold, Azure.Storage.Queues.QueueClient queue, int count, TimeSpan delay)
    {
        var visibleAt = DateTimeOffset.UtcNow + delay;
        var moved = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (Volatile.Read(ref moved) < count)
            {
                var batch = (await hold.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
                if (batch.Length == 0)
                {
                    // The rest are with the other movers.
                    await Task.Delay(10);
                    continue;
                }

                foreach (var message in batch)
                {
                    var wait = visibleAt - DateTimeOffset.UtcNow;
                    await queue.SendMessageAsync(message.Body, wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
                    await hold.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                    Interlocked.Increment(ref moved);
                }
            }
        })));
        if (delay > TimeSpan.Zero && DateTimeOffset.UtcNow > visibleAt)
        {
            Console.Error.WriteLine($"Moving {count} callbacks took longer than the {delay.TotalSeconds:F1} s planned: processing began before the last was moved.");
        }
    }

    /// <summary>
    /// Times the processing host from the moment the first tenth of the callbacks are done (the queue trigger's
    /// polling has found them and runs at its concurrency) to the queue being empty (a message is deleted once its
    /// rows are stored): the callbacks left at the start over the time they took.
    /// </summary>
    private static async Task<PhaseFigures> DrainAsync(Bench bench, HostRun app, Azure.Storage.Queues.QueueClient queue, int callbacks, string profileName)
    {
        var warmUp = Math.Min(callbacks / 2, Math.Max(50, callbacks / 10));
        var since = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        (int Left, Stopwatch Watch, (TimeSpan Host, TimeSpan Worker, TimeSpan Storage) Cpu)? start = null;
        Profile? profile = null;
        int left;
        while ((left = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount) > 0)
        {
            if (start is null && left <= callbacks - warmUp)
            {
                start = (left, Stopwatch.StartNew(), Cpu(bench, app));
                profile = bench.Options.Profile ? Profile.Start(app, profileName) : null;
            }

            if (watch.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("The callbacks were not processed within 5 minutes; see artifacts/benchmark/logs.");
            }

            await Task.Delay(20);
        }

        var (measured, elapsed, first) = start is { } s ? (s.Left, s.Watch.Elapsed, s.Cpu) : throw new InvalidOperationException("The queue emptied between two looks.");
        var now = Cpu(bench, app);
        if (profile is not null)
        {
            await profile.DisposeAsync();
        }

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

    private static (TimeSpan Host, TimeSpan Worker, TimeSpan Storage) Cpu(Bench bench, HostRun app)
    {
        var (host, worker) = app.CpuTime();
        return (host, worker, bench.AzuriteProcessId > 0 ? HostRun.CpuTime(bench.AzuriteProcessId) : default);
    }

    /// <summary>
    /// Every callback stored: a payment row and a transaction row per payment, a capture row per captured payment,
    /// and, from an app that derives it (the working tree's; a revision's if it has any), a status per payment,
    /// captured where captured, and, from one that records events, an event per change.
    /// </summary>
    private static async Task CheckAsync(TableClient table, AppBuild build, int payments, int captured)
    {
        var (resources, statuses, capturedStatuses, events) = (0, 0, 0, 0);
        await foreach (var row in table.QueryAsync<TableEntity>(select: ["RowKey", "Status"]))
        {
            if (row.RowKey == "status")
            {
                statuses++;
                capturedStatuses += row.GetString("Status") == "captured" ? 1 : 0;
            }
            else if (row.RowKey.StartsWith("event-", StringComparison.Ordinal))
            {
                events++;
            }
            else
            {
                resources++;
            }
        }

        var expectStatus = build.Revision is null || statuses > 0;
        if (resources != 2 * payments + captured || (expectStatus && (statuses != payments || capturedStatuses != captured)) || (events > 0 && events != payments + captured))
        {
            throw new InvalidOperationException(
                $"{build.Name}: expected {2 * payments + captured} resource rows{(expectStatus ? $" and {payments} statuses, {captured} of them captured" : "")}; " +
                $"found {resources} resource rows and {statuses} statuses, {capturedStatuses} captured, {events} events. See artifacts/benchmark/logs.");
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

    /// <summary>How many rounds the figures pool.</summary>
    public int Rounds { get; init; } = 1;

    /// <summary>One build's rounds as one.</summary>
    public static AppProcessing Pool(IReadOnlyList<AppProcessing> rounds) => rounds.Count == 1 ? rounds[0] : rounds[0] with
    {
        New = PhaseFigures.Pool([.. rounds.Select(r => r.New)]),
        Second = PhaseFigures.Pool([.. rounds.Select(r => r.Second)]),
        Rounds = rounds.Count,
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
