using System.Globalization;
using System.Runtime.InteropServices;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>The figures as a Markdown table, each with the baseline it is measured against and its target.</summary>
public static class Report
{
    public static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return string.Create(CultureInfo.InvariantCulture,
            $"Machine: {Environment.ProcessorCount} cores ({cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}), {memory:F0} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; Azurite, the stand-in, the load and the app all on it.");
    }

    public static string Table(BenchOptions options, Dictionary<string, AcknowledgeFigures> acknowledge, Dictionary<int, Dictionary<string, ProcessingFigures>> processing, Dictionary<string, double> coldStarts)
    {
        var builds = acknowledge.Keys.ToArray();
        string Each(Func<string, string> cell) => string.Join(" | ", builds.Select(cell));
        string Baselines<T>(Dictionary<string, T> figures, Func<T, double> baseline) => string.Join(" / ", builds.Select(b => baseline(figures[b]).ToString("F0", CultureInfo.InvariantCulture)));
        var a = acknowledge[builds[^1]];
        var rows = new List<string>
        {
            $"| Measure | Baseline (same run{(builds.Length > 1 ? $"; for {string.Join(" / ", builds)}" : "")}) | {Each(b => $"{Name(b)} build")} | Target |",
            $"| --- | --- | {Each(_ => "---")} | --- |",
            $"| 1. Acknowledge throughput, concurrency {options.Concurrency} | raw SendMessageAsync of the app's {a.EnvelopeBytes}-byte envelopes: {Baselines(acknowledge, f => f.RawPerSecond)} msg/s | {Each(b => $"{acknowledge[b].AppPerSecond:F0}/s = **{acknowledge[b].Ratio:F2}** ({acknowledge[b].CpuMicrosecondsPerCallback:F0} µs CPU each)")} | ≥ 0.9 of raw |",
            $"| 1. Acknowledge latency p50 / p99 at half load | raw at the same rate: {string.Join("; ", builds.Select(b => $"{acknowledge[b].RawP50:F1} / {acknowledge[b].RawP99:F1} ms"))} | {Each(b => $"{acknowledge[b].AppP50:F1} / {acknowledge[b].AppP99:F1} ms at {acknowledge[b].HalfLoadPerSecond:F0}/s")} | |",
        };
        foreach (var (concurrency, figures) in processing)
        {
            var p = figures[builds[^1]];
            rows.Add($"| 2. Processing {p.Callbacks:N0} queued callbacks, PayEx answering after {p.PayExDelay.TotalMilliseconds:F0} ms, concurrency {concurrency} | ideal = min({concurrency} / {p.PayExDelay.TotalMilliseconds:F0} ms = {p.ConcurrencyBound:F0}/s, raw table writes {string.Join(" / ", builds.Select(b => figures[b].RawWritesPerSecond.ToString("F0", CultureInfo.InvariantCulture)))}/s) | {Each(b => $"{figures[b].PerSecond:F0}/s = **{figures[b].Ratio:F2}** ({figures[b].CpuMicrosecondsPerCallback:F0} µs CPU each)")} | ≥ 0.8 of ideal |");
            rows.Add($"| 2. The same, against the storage work per callback | ideal = min({p.ConcurrencyBound:F0}/s, raw receive + write + delete {string.Join(" / ", builds.Select(b => figures[b].RawPipelinePerSecond.ToString("F0", CultureInfo.InvariantCulture)))}/s) | {Each(b => $"**{figures[b].StorageRatio:F2}**")} | |");
        }

        rows.AddRange(
        [
            coldStarts.Count == 2
                ? $"| 3. Cold start to first 200, median of {options.ColdStarts} | the JIT build | {coldStarts["jit"]:F0} ms | {coldStarts["aot"]:F0} ms = **{coldStarts["jit"] / coldStarts["aot"]:F1}×** faster | AOT ≥ 5× faster |"
                : $"| 3. Cold start to first 200, median of {options.ColdStarts} | | {Each(b => $"{coldStarts[b]:F0} ms")} | |",
            $"| 4. Peak RSS during 1 / during 2 | | {Each(b => $"{acknowledge[b].PeakRssMiB:F0} / {processing.Values.Max(f => f[b].PeakRssMiB):F0} MiB")} | ≤ 100 MB |",
        ]);
        return string.Join(Environment.NewLine, rows);
    }

    private static string Name(string build) => build == "aot" ? "Native AOT" : build.ToUpperInvariant();
}
