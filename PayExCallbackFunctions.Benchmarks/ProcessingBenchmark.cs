using System.Diagnostics;
using Azure.Data.Tables;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// (2) Processing throughput under the host: the callbacks queued first (through the app, processing
/// disabled), then a host with processing enabled, its queue trigger's concurrency set by host.json's
/// batchSize and newBatchThreshold (environment overrides), drains them while PayEx answers each GET
/// after the delay. Against the ideal min(concurrency / delay, raw storage pipeline), the latter
/// measured right after on the same Azurite: the app's envelopes received in batches, each one's
/// rows written as the app writes them and its message deleted, at the same concurrency.
/// </summary>
public static class ProcessingBenchmark
{
    public static async Task<ProcessingFigures> RunAsync(Bench bench, AppBuild build)
    {
        var options = bench.Options;
        var name = $"process-{options.ProcessingConcurrency}";
        var workload = new Workload(options.Callbacks);
        workload.Serve(bench.StandIn);

        // Queue them through the app itself, so that the envelopes are the app's.
        await using (var intake = HostRun.Start(build, bench.Settings(name, processing: false), $"{name}-intake"))
        {
            await intake.WaitReadyAsync();
            using var http = Bench.CallbackClient(intake.BaseUrl, options.Concurrency);
            var queued = await Load.ClosedAsync(options.Concurrency, TimeSpan.FromMinutes(5), i => Bench.PostCallbackAsync(http, workload.Callbacks[i]), workload.Count);
            if (queued.Completed != workload.Count)
            {
                throw new InvalidOperationException($"Only {queued.Completed} of {workload.Count} callbacks were acknowledged.");
            }
        }

        var settings = bench.Settings(name, processing: true);
        var queue = bench.Queues.GetQueueClient(settings["PayExCallbackQueue"]);
        var table = bench.Tables.GetTableClient(settings["Storage__PaymentsTable"]);
        var envelope = (await queue.PeekMessageAsync()).Value.Body.ToString();
        bench.StandIn.Latency = options.PayExDelay;
        var since = DateTimeOffset.UtcNow;
        TimeSpan elapsed;
        (TimeSpan Host, TimeSpan Worker) cpu;
        (double Host, double Worker) peak;
        await using (var app = HostRun.Start(build, settings, name))
        {
            // From the first GET PayEx receives to the queue being empty (every message deleted once its rows are stored).
            var watch = Stopwatch.StartNew();
            (TimeSpan Host, TimeSpan Worker)? cpuAtFirst = null;
            while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
            {
                if (cpuAtFirst is null && bench.StandIn.Requests.Any(r => r.At >= since))
                {
                    // Start-up's CPU (the host's and the worker's) is not processing's.
                    cpuAtFirst = app.CpuTime();
                }

                if (watch.Elapsed > TimeSpan.FromMinutes(5))
                {
                    throw new TimeoutException("The callbacks were not processed within 5 minutes; see artifacts/benchmark/logs.");
                }

                await Task.Delay(20);
            }

            var drained = DateTimeOffset.UtcNow;
            var first = bench.StandIn.Requests.Where(r => r.At >= since).Min(r => r.At);
            elapsed = drained - first;
            peak = app.PeakRssMiB();
            var now = app.CpuTime();
            cpu = (now.Host - (cpuAtFirst?.Host ?? default), now.Worker - (cpuAtFirst?.Worker ?? default));
        }

        bench.StandIn.Latency = TimeSpan.Zero;
        var rows = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["RowKey"]))
        {
            rows++;
        }

        if (rows != 2 * workload.Count)
        {
            throw new InvalidOperationException($"Expected {2 * workload.Count} rows (a payment and a transaction per callback), found {rows}.");
        }

        var templates = await TemplatesAsync(table);
        await queue.DeleteAsync();
        var rawPipeline = await RawPipelineAsync(bench, templates, envelope, workload.Count, $"{name}-raw");
        return new ProcessingFigures(workload.Count, elapsed, rawPipeline, options.ProcessingConcurrency, options.BatchSize, options.NewBatchThreshold, options.PayExDelay, peak,
            cpu.Host.TotalMicroseconds / workload.Count, cpu.Worker.TotalMicroseconds / workload.Count);
    }

    /// <summary>A payment row and its transaction row as the app stored them, to write copies of.</summary>
    private static async Task<List<TableEntity>> TemplatesAsync(TableClient stored)
    {
        var first = await stored.QueryAsync<TableEntity>(maxPerPage: 1).FirstAsync();
        return await stored.QueryAsync<TableEntity>(e => e.PartitionKey == first.PartitionKey).ToListAsync();
    }

    private static TableTransactionAction[] Copies(List<TableEntity> templates)
    {
        var key = Guid.NewGuid().ToString("D");
        return templates.Select(t => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(t) { PartitionKey = key, ETag = default })).ToArray();
    }

    /// <summary>
    /// The storage work of processing and nothing else, per second: the same number of the app's
    /// envelopes queued, received in batches as the app does, each one's rows written and its message deleted.
    /// </summary>
    private static async Task<double> RawPipelineAsync(Bench bench, List<TableEntity> templates, string envelope, int count, string name)
    {
        var options = bench.Options;
        var queue = bench.Queues.GetQueueClient(name);
        await queue.CreateIfNotExistsAsync();
        await Load.ClosedAsync(options.Concurrency, TimeSpan.FromMinutes(5), _ => queue.SendMessageAsync(envelope), count);
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
                await table.SubmitTransactionAsync(Copies(templates));
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

public sealed record ProcessingFigures(int Callbacks, TimeSpan Elapsed, double RawPipelinePerSecond, int Concurrency, int BatchSize, int NewBatchThreshold, TimeSpan PayExDelay,
    (double Host, double Worker) PeakRssMiB, double HostCpuMicroseconds, double WorkerCpuMicroseconds)
{
    public double PerSecond => Callbacks / Elapsed.TotalSeconds;

    public double ConcurrencyBound => Concurrency / PayExDelay.TotalSeconds;

    /// <summary>What the app could reach at best: bounded by its concurrency over PayEx's delay, and by the storage work per callback.</summary>
    public double Ideal => Math.Min(ConcurrencyBound, RawPipelinePerSecond);

    public double Ratio => PerSecond / Ideal;
}
