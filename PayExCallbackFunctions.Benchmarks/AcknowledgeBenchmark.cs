using Azure.Storage.Queues;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// (1) Acknowledge throughput of the standalone app at the load's concurrency, against a raw
/// SendMessageAsync loop at the same concurrency sending the app's own envelopes; then p50/p99
/// latency of both at half the app's throughput. Processing is disabled, as if another instance did it.
/// </summary>
public static class AcknowledgeBenchmark
{
    public static async Task<AcknowledgeFigures> RunAsync(Bench bench, AppBuild build)
    {
        var options = bench.Options;
        var name = $"ack-{build.Name}";
        var settings = bench.Settings(name, processing: false);
        var appQueue = bench.Queues.GetQueueClient(settings["Storage__CallbackQueue"]);
        var rawQueue = bench.Queues.GetQueueClient($"{name}-raw");
        await rawQueue.CreateIfNotExistsAsync();
        var callbacks = new Workload(1024).Callbacks;

        await using var app = AppRun.Start(build, settings, name);
        await app.WaitReadyAsync();
        using var http = Bench.CallbackClient(app.BaseUrl, options.Concurrency);
        Task Acknowledge(int i) => Bench.PostCallbackAsync(http, callbacks[i % callbacks.Length]);

        // Warm-up (JIT, connections, Azurite's queue), and one envelope as the app writes it.
        await Load.ClosedAsync(options.Concurrency, TimeSpan.FromSeconds(2), Acknowledge);
        var envelope = (await appQueue.PeekMessageAsync()).Value.Body.ToString();
        Task Send(int _) => rawQueue.SendMessageAsync(envelope);
        await Load.ClosedAsync(options.Concurrency, TimeSpan.FromSeconds(1), Send);

        // Rounds of one app run and one raw run, in alternating order, each on an emptied queue: the
        // ratio is taken within a round, so that the machine's drift over the minutes does not count.
        var (appRates, rawRates, ratios) = (new List<double>(), new List<double>(), new List<double>());
        var (cpu, acknowledged) = (TimeSpan.Zero, 0);
        for (var round = 0; round < options.Rounds; round++)
        {
            var (app1, raw1) = (0.0, 0.0);
            foreach (var appTurn in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                await appQueue.ClearMessagesAsync();
                await rawQueue.ClearMessagesAsync();
                if (appTurn)
                {
                    var cpuBefore = app.CpuTime();
                    var run = Checked(await Load.ClosedAsync(options.Concurrency, options.Duration, Acknowledge), "acknowledge");
                    cpu += app.CpuTime() - cpuBefore;
                    acknowledged += run.Completed;
                    app1 = run.PerSecond;
                }
                else
                {
                    raw1 = Checked(await Load.ClosedAsync(options.Concurrency, options.Duration, Send), "raw send").PerSecond;
                }
            }

            appRates.Add(app1);
            rawRates.Add(raw1);
            ratios.Add(app1 / raw1);
        }

        var half = Median(appRates) / 2;
        await appQueue.ClearMessagesAsync();
        var appLatency = Checked(await Load.OpenAsync(half, options.Duration, Acknowledge), "acknowledge at half load");
        await rawQueue.ClearMessagesAsync();
        var rawLatency = Checked(await Load.OpenAsync(half, options.Duration, Send), "raw send at half load");
        var peak = app.PeakRssMiB();

        await appQueue.DeleteAsync();
        await rawQueue.DeleteAsync();
        return new AcknowledgeFigures(Median(rawRates), Median(appRates), Median(ratios), cpu.TotalMicroseconds / acknowledged, half, rawLatency.Percentile(0.5), rawLatency.Percentile(0.99), appLatency.Percentile(0.5), appLatency.Percentile(0.99), peak, System.Text.Encoding.UTF8.GetByteCount(envelope));
    }

    private static LoadResult Checked(LoadResult result, string what) => result.Failed == 0
        ? result
        : throw new InvalidOperationException($"{result.Failed} of {result.Completed + result.Failed} operations failed in {what}.");

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}

public sealed record AcknowledgeFigures(
    double RawPerSecond,
    double AppPerSecond,
    double Ratio,
    double CpuMicrosecondsPerCallback,
    double HalfLoadPerSecond,
    double RawP50,
    double RawP99,
    double AppP50,
    double AppP99,
    double PeakRssMiB,
    int EnvelopeBytes);
