using System.Diagnostics;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// (3, 4) Start to first 200: from launching <c>func start</c> to the first 200 to a callback
/// (the host, then the worker starting, indexing its functions, and one callback acknowledged), for
/// each build in turn, repeated (interleaved, so that all meet the same machine), median of the runs.
/// The app runs with processing enabled, as deployed.
/// </summary>
public static class StartBenchmark
{
    public static async Task<Dictionary<string, double>> RunAsync(Bench bench, IReadOnlyList<AppBuild> builds)
    {
        var times = builds.ToDictionary(b => b.Name, _ => new List<double>());
        var workload = new Workload(1);
        workload.Serve(bench.StandIn);
        for (var run = 0; run < bench.Options.Starts; run++)
        {
            // Each in turn, the order rotating, so that none is always first after the previous one's kill.
            foreach (var build in builds.Skip(run % builds.Count).Concat(builds.Take(run % builds.Count)))
            {
                times[build.Name].Add(await FirstOkAsync(bench, build, workload.Callbacks[0], $"start-{build.Name}-{run}"));
            }
        }

        return times.ToDictionary(t => t.Key, t => AcknowledgeBenchmark.Median(t.Value));
    }

    private static async Task<double> FirstOkAsync(Bench bench, AppBuild build, byte[] body, string name)
    {
        var settings = bench.Settings("start", processing: true);
        var started = Stopwatch.GetTimestamp();
        await using var host = HostRun.Start(build, settings, name);
        using var http = Bench.CallbackClient(host.BaseUrl, 1);
        while (true)
        {
            try
            {
                await Bench.PostCallbackAsync(http, body);
                return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            catch (HttpRequestException) when (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(90))
            {
                // Not listening yet, or not running its functions yet.
                await Task.Delay(10);
            }
        }
    }
}
