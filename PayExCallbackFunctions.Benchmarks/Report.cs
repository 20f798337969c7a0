using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>The figures as a Markdown table: each measure, the baseline it is measured against in the same run, the app's figure and the ratio.</summary>
public static class Report
{
    public static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return Invariant($"Machine: {Environment.ProcessorCount} cores ({cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}), {memory:F0} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; Azurite, the stand-in, the load, the host and the workers all on it.");
    }

    public static async Task<string> HostAsync()
    {
        using var version = Process.Start(new ProcessStartInfo(Func.Path, "--version") { RedirectStandardOutput = true })!;
        var text = (await version.StandardOutput.ReadToEndAsync()).Trim();
        await version.WaitForExitAsync();
        return $"Host: {Func.Path} --version: {text}; func start --no-build, without --enableAuth (no key checked), host and worker logs at func's defaults.";
    }

    public static string Table(BenchOptions options, AcknowledgeFigures? acknowledge, List<ProcessingFigures> processing, List<StorageRequests> requests, Dictionary<string, double>? starts)
    {
        var rows = new List<string>
        {
            "| Measure | Baseline (same run) | The app (ReadyToRun, as published), under the host | App ÷ baseline (throughput: median of the rounds' ratios, higher is better; times, latency, memory: lower is better) |",
            "| --- | --- | --- | --- |",
        };
        if (acknowledge is not null)
        {
            var a = acknowledge.Targets[acknowledge.App];
            var (raw, naive, bare, jit) = (acknowledge.Targets[AcknowledgeBenchmark.Raw], acknowledge.Targets["naive"], acknowledge.Targets["bare"], acknowledge.Targets["app-jit"]);
            var throughput = Invariant($"1. Acknowledge throughput, closed loop, {options.Concurrency} concurrent, processing disabled; median of {options.Rounds} rounds of {options.Duration.TotalSeconds:F0} s");
            rows.Add(Invariant($"| {throughput} | (a) raw `QueueClient.SendMessageAsync` of the app's {acknowledge.EnvelopeBytes}-byte envelopes, no host: {raw.PerSecond:F0} msg/s | {a.PerSecond:F0}/s ({Cpu(a)}) | **{raw.AppRatio:F2}** |"));
            rows.Add(Invariant($"| {throughput} | (b) naive isolated app (`[QueueOutput]` of the body, {acknowledge.NaiveMessageBytes}-byte messages), same host: {naive.PerSecond:F0}/s ({Cpu(naive)}) | {a.PerSecond:F0}/s | **{naive.AppRatio:F2}** |"));
            rows.Add(Invariant($"| {throughput} | (c) bare isolated app (one HTTP function answering 200, nothing stored: the host's own ceiling), same host: {bare.PerSecond:F0}/s ({Cpu(bare)}) | {a.PerSecond:F0}/s | **{bare.AppRatio:F2}** |"));
            var latency = Invariant($"1. Acknowledge latency p50 / p99, open loop at {acknowledge.LatencyRate:F0}/s (half the slowest host's throughput), {options.Duration.TotalSeconds:F0} s");
            rows.Add(Invariant($"| {latency} | (a) raw: {raw.P50:F1} / {raw.P99:F1} ms | {a.P50:F1} / {a.P99:F1} ms | p99 **{a.P99 / raw.P99:F1}×** |"));
            rows.Add(Invariant($"| {latency} | (b) naive app: {naive.P50:F1} / {naive.P99:F1} ms | {a.P50:F1} / {a.P99:F1} ms | p99 **{a.P99 / naive.P99:F2}×** |"));
            rows.Add(Invariant($"| {latency} | (c) bare app: {bare.P50:F1} / {bare.P99:F1} ms | {a.P50:F1} / {a.P99:F1} ms | p99 **{a.P99 / bare.P99:F2}×** |"));
            rows.Add(Invariant($"| 4. ReadyToRun vs plain JIT: acknowledge throughput as in 1 | JIT build (`-p:PublishReadyToRun=false`): {jit.PerSecond:F0}/s ({Cpu(jit)}) | {a.PerSecond:F0}/s ({Cpu(a)}) | **{jit.AppRatio:F2}** |"));
            rows.Add(Invariant($"| 5. Peak RSS (VmHWM) of host + worker, during 1 | naive app: {Rss(naive.PeakRssMiB)}; bare app: {Rss(bare.PeakRssMiB)}; JIT build: {Rss(jit.PeakRssMiB)} | {Rss(a.PeakRssMiB)} | **{Sum(a.PeakRssMiB) / Sum(naive.PeakRssMiB):F2}** of naive, **{Sum(a.PeakRssMiB) / Sum(bare.PeakRssMiB):F2}** of bare |"));
        }

        foreach (var p in processing)
        {
            var a = p.App;
            var measure = Invariant($"2. Processing {a.Queued / a.Rounds:N0} callbacks{(a.Rounds > 1 ? $" per round, {a.Rounds} rounds pooled" : "")}: {a.New.Queued / a.Rounds:N0} card payments (v1) authorized (new payments), then {a.Second.Queued / a.Rounds:N0} of them captured (second callbacks); each phase queued on hold, then released at once to one host, warmed up first with other payments' lives until its JIT was idle; timed past each phase's first tenth; PayEx answering after {p.PayExDelay.TotalMilliseconds:F0} ms; concurrency {p.Concurrency} (host.json batchSize {p.BatchSize} + newBatchThreshold {p.NewBatchThreshold})");
            var ideal = Invariant($"ideal = min({p.Concurrency} / {p.PayExDelay.TotalMilliseconds:F0} ms = {p.ConcurrencyBound:F0}/s, raw receive + a payment and a transaction row written + delete at concurrency {p.Concurrency}, no host: {p.RawPipelinePerSecond:F0}/s)");
            rows.Add(Invariant($"| {measure} | {ideal} | {Processing(a)} | **{p.Ratio(a):F2}** |"));
            foreach (var (b, ratios) in p.Revisions)
            {
                var revision = b.Build.Revision![..7];
                var rounds = ratios.Count > 1 ? $"; round by round {string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}" : "";
                rows.Add(Invariant($"| 2. The same, the app at {revision} (built from git), same run | {ideal} | {Processing(b)} | **{p.Ratio(b):F2}** |"));
                rows.Add(Invariant($"| 2. The app ÷ the app at {revision}, concurrency {p.Concurrency}: all / new payments / second callbacks{(ratios.Count > 1 ? $", {ratios.Count} rounds pooled" : "")} | {revision}: {b.PerSecond:F0} / {b.New.PerSecond:F0} / {b.Second.PerSecond:F0} per s | {a.PerSecond:F0} / {a.New.PerSecond:F0} / {a.Second.PerSecond:F0} per s | **{a.PerSecond / b.PerSecond:F2}** / {a.New.PerSecond / b.New.PerSecond:F2} / {a.Second.PerSecond / b.Second.PerSecond:F2}{rounds} |"));
            }
        }

        foreach (var r in requests)
        {
            rows.Add(Invariant($"| 2. Storage requests per callback, {r.Build.Name}: table requests (the host's queue receives and deletes aside); untimed, {r.NewCallbacks} payments through a counting proxy | | new payment: {StorageRequests.Describe(r.New, r.NewCallbacks)}; second callback: {StorageRequests.Describe(r.Second, r.SecondCallbacks)} | **{StorageRequests.TablePerCallback(r.New, r.NewCallbacks):F1}** / **{StorageRequests.TablePerCallback(r.Second, r.SecondCallbacks):F1}** |"));
        }

        if (processing.Count > 0)
        {
            var peak = processing.MaxBy(p => Sum(p.App.PeakRssMiB))!.App;
            rows.Add(Invariant($"| 5. Peak RSS (VmHWM) of host + worker, during 2 (the highest of the concurrencies) | {(acknowledge is null ? "" : $"the app during 1: {Rss(acknowledge.Targets[acknowledge.App].PeakRssMiB)}")} | {Rss(peak.PeakRssMiB)} | {(acknowledge is null ? "" : $"**{Sum(peak.PeakRssMiB) / Sum(acknowledge.Targets[acknowledge.App].PeakRssMiB):F2}**")} |"));
        }

        if (starts is not null)
        {
            var start = Invariant($"3. Start → first 200: launching func to the first 200 to a callback, median of {options.Starts}, interleaved");
            rows.Add(Invariant($"| {start} | bare isolated app (one HTTP function returning 200, ReadyToRun too), same host: {starts["bare"]:F0} ms | {starts["app"]:F0} ms | **{starts["app"] / starts["bare"]:F2}** (+{starts["app"] - starts["bare"]:F0} ms) |"));
            rows.Add(Invariant($"| 4. ReadyToRun vs plain JIT: start → first 200 as in 3 | JIT build: {starts["app-jit"]:F0} ms | {starts["app"]:F0} ms | **{starts["app"] / starts["app-jit"]:F2}** ({starts["app-jit"] - starts["app"]:F0} ms sooner) |"));
        }

        return string.Join(Environment.NewLine, rows);
    }

    private static string Processing(AppProcessing a) => Invariant(
        $"{a.PerSecond:F0}/s (new payments {a.New.PerSecond:F0}/s, second callbacks {a.Second.PerSecond:F0}/s); CPU per callback: host {a.HostCpu:F0} + worker {a.WorkerCpu:F0} µs (new {a.New.WorkerCpu:F0}, second {a.Second.WorkerCpu:F0}), Azurite {a.StorageCpu:F0} µs (new {a.New.StorageCpu:F0}, second {a.Second.StorageCpu:F0}); {a.PayExGets:F1} PayEx GETs per callback");

    private static string Cpu(TargetFigures f) => Invariant($"CPU per callback: host {f.HostCpuMicroseconds:F0} + worker {f.WorkerCpuMicroseconds:F0} = {f.HostCpuMicroseconds + f.WorkerCpuMicroseconds:F0} µs");

    private static string Rss((double Host, double Worker) rss) => Invariant($"host {rss.Host:F0} + worker {rss.Worker:F0} = {Sum(rss):F0} MiB");

    private static double Sum((double Host, double Worker) rss) => rss.Host + rss.Worker;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
