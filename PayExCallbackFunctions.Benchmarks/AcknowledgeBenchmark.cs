namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// (1) Acknowledge, processing disabled (as if another instance did it): the app's closed-loop
/// throughput at the load's concurrency, under the host, against (a) a raw SendMessageAsync loop of
/// the app's own envelopes at the same concurrency, (b) the naive function app under the same host,
/// (c) the bare app (one HTTP function answering 200: the ceiling the host itself sets), and (4) the
/// app's plain JIT build; then p50/p99 of each at one rate, half the slowest host's.
/// All hosts run side by side; each round measures every target in turn, in rotating order, and the
/// ratios are taken within a round, so that the machine's drift over the minutes does not count.
/// </summary>
public static class AcknowledgeBenchmark
{
    public const string Raw = "raw";

    public static async Task<AcknowledgeFigures> RunAsync(Bench bench, AppBuild app, IReadOnlyList<AppBuild> others)
    {
        var options = bench.Options;
        var callbacks = new Workload(1024).Callbacks;
        var targets = new List<Target>();
        try
        {
            foreach (var build in others.Prepend(app))
            {
                var settings = bench.Settings($"ack-{build.Name}", processing: false);
                var queue = bench.Queues.GetQueueClient(settings["PayExCallbackQueue"]);
                await queue.CreateIfNotExistsAsync();
                var host = HostRun.Start(build, settings, $"ack-{build.Name}");
                var http = Bench.CallbackClient(host.BaseUrl, options.Concurrency);
                targets.Add(new Target(build.Name, queue, host, http, i => Bench.PostCallbackAsync(http, callbacks[i % callbacks.Length])));
            }

            await Task.WhenAll(targets.Select(t => t.Host!.WaitReadyAsync()));

            // Warm-up (JIT, connections, Azurite's queues), and one envelope as the app writes it.
            foreach (var target in targets)
            {
                await Load.ClosedAsync(options.Concurrency, TimeSpan.FromSeconds(3), target.Operation);
            }

            var envelope = (await targets[0].Queue.PeekMessageAsync()).Value.Body.ToString();
            var naiveMessage = targets.FirstOrDefault(t => t.Name == "naive") is { } naive ? (await naive.Queue.PeekMessageAsync()).Value.Body.ToString() : "";
            var rawQueue = bench.Queues.GetQueueClient("ack-raw");
            await rawQueue.CreateIfNotExistsAsync();
            targets.Add(new Target(Raw, rawQueue, null, null, _ => rawQueue.SendMessageAsync(envelope)));
            await Load.ClosedAsync(options.Concurrency, TimeSpan.FromSeconds(1), targets[^1].Operation);

            var ratios = targets.ToDictionary(t => t.Name, _ => new List<double>());
            for (var round = 0; round < options.Rounds; round++)
            {
                var rates = new Dictionary<string, double>();
                foreach (var target in targets.Skip(round % targets.Count).Concat(targets.Take(round % targets.Count)))
                {
                    await target.Queue.ClearMessagesAsync();
                    var cpuBefore = target.Host?.CpuTime() ?? default;
                    var run = Checked(await Load.ClosedAsync(options.Concurrency, options.Duration, target.Operation), $"acknowledge, {target.Name}");
                    var cpuAfter = target.Host?.CpuTime() ?? default;
                    target.Add(run, cpuAfter.Host - cpuBefore.Host, cpuAfter.Worker - cpuBefore.Worker);
                    rates[target.Name] = run.PerSecond;
                }

                foreach (var target in targets)
                {
                    ratios[target.Name].Add(rates[app.Name] / rates[target.Name]);
                }
            }

            var rate = targets.Where(t => t.Host is not null).Min(t => Median(t.Rates)) / 2;
            foreach (var target in targets)
            {
                await target.Queue.ClearMessagesAsync();
                target.Latency = Checked(await Load.OpenAsync(rate, options.Duration, target.Operation), $"acknowledge at {rate:F0}/s, {target.Name}");
            }

            return new AcknowledgeFigures(
                app.Name,
                targets.ToDictionary(t => t.Name, t => t.Figures(Median(ratios[t.Name]))),
                rate,
                System.Text.Encoding.UTF8.GetByteCount(envelope),
                System.Text.Encoding.UTF8.GetByteCount(naiveMessage));
        }
        finally
        {
            foreach (var target in targets)
            {
                target.Http?.Dispose();
                if (target.Host is not null)
                {
                    await target.Host.DisposeAsync();
                }

                await target.Queue.DeleteIfExistsAsync();
            }
        }
    }

    internal static LoadResult Checked(LoadResult result, string what) => result.Failed == 0
        ? result
        : throw new InvalidOperationException($"{result.Failed} of {result.Completed + result.Failed} operations failed in {what}.");

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>One thing acknowledged against: an app under its host, or the raw queue.</summary>
    private sealed class Target(string name, Azure.Storage.Queues.QueueClient queue, HostRun? host, HttpClient? http, Func<int, Task> operation)
    {
        private int _completed;
        private TimeSpan _hostCpu;
        private TimeSpan _workerCpu;

        public string Name => name;

        public Azure.Storage.Queues.QueueClient Queue => queue;

        public HostRun? Host => host;

        public HttpClient? Http => http;

        public Func<int, Task> Operation => operation;

        public List<double> Rates { get; } = [];

        public LoadResult? Latency { get; set; }

        public void Add(LoadResult run, TimeSpan hostCpu, TimeSpan workerCpu)
        {
            Rates.Add(run.PerSecond);
            _completed += run.Completed;
            _hostCpu += hostCpu;
            _workerCpu += workerCpu;
        }

        public TargetFigures Figures(double appRatio) => new(
            Median(Rates),
            appRatio,
            _hostCpu.TotalMicroseconds / _completed,
            _workerCpu.TotalMicroseconds / _completed,
            Latency!.Percentile(0.5),
            Latency.Percentile(0.99),
            host?.PeakRssMiB() ?? default);
    }
}

/// <param name="AppRatio">The app's rate over this target's, median of the rounds' ratios.</param>
/// <param name="HostCpuMicroseconds">The host's CPU per callback (0 for the raw queue); likewise the worker's.</param>
public sealed record TargetFigures(double PerSecond, double AppRatio, double HostCpuMicroseconds, double WorkerCpuMicroseconds, double P50, double P99, (double Host, double Worker) PeakRssMiB);

public sealed record AcknowledgeFigures(string App, Dictionary<string, TargetFigures> Targets, double LatencyRate, int EnvelopeBytes, int NaiveMessageBytes);
