using System.Diagnostics;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// (3) Cold start: from starting the process to its first 200 to a callback, each build in turn
/// (interleaved, so that both meet the same machine), median of the runs.
/// </summary>
public static class ColdStartBenchmark
{
    public static async Task<Dictionary<string, double>> RunAsync(Bench bench, IReadOnlyList<AppBuild> builds)
    {
        var times = builds.ToDictionary(b => b.Name, _ => new List<double>());
        var workload = new Workload(1);
        workload.Serve(bench.StandIn);
        var body = workload.Callbacks[0];
        for (var run = 0; run < bench.Options.ColdStarts; run++)
        {
            foreach (var build in builds)
            {
                times[build.Name].Add(await FirstAcknowledgeAsync(bench, build, body, $"cold-{build.Name}-{run}"));
            }
        }

        return times.ToDictionary(t => t.Key, t => t.Value.Order().ElementAt(t.Value.Count / 2));
    }

    private static async Task<double> FirstAcknowledgeAsync(Bench bench, AppBuild build, byte[] body, string name)
    {
        var settings = bench.Settings("cold", processing: true);
        var started = Stopwatch.GetTimestamp();
        await using var app = AppRun.Start(build, settings, name);
        using var http = Bench.CallbackClient(app.BaseUrl, 1);
        while (true)
        {
            try
            {
                await Bench.PostCallbackAsync(http, body);
                return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            catch (HttpRequestException) when (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30))
            {
                // Not listening yet.
                await Task.Delay(1);
            }
        }
    }
}
