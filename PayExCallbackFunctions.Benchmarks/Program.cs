using System.Globalization;
using System.Runtime.InteropServices;
using PayExCallbackFunctions.Benchmarks;

// dotnet run -c Release --project PayExCallbackFunctions.Benchmarks [-- --concurrency 32 --processing-concurrency 8,32
//   --callbacks 2000 --payex-delay-ms 50 --seconds 3 --rounds 5 --cold-starts 10 --reuse-builds]
//   [--set Name=Value ...: extra app settings, to try a change] [--only jit|aot] [--parts acknowledge,processing,cold-start]
var arguments = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal) && x.a != "--set")
    .ToDictionary(x => x.a[2..], x => x.i + 1 < args.Length && !args[x.i + 1].StartsWith("--", StringComparison.Ordinal) ? args[x.i + 1] : "true");
var extraSettings = args.Select((a, i) => (a, i)).Where(x => x.a == "--set" && x.i + 1 < args.Length)
    .Select(x => args[x.i + 1].Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
var processingConcurrencies = (arguments.TryGetValue("processing-concurrency", out var pc) ? pc : "8,32").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
int Int(string name, int fallback) => arguments.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var options = new BenchOptions(
    Concurrency: Int("concurrency", 32),
    ProcessingConcurrency: processingConcurrencies[^1],
    Callbacks: Int("callbacks", 2000),
    PayExDelay: TimeSpan.FromMilliseconds(Int("payex-delay-ms", 50)),
    Duration: TimeSpan.FromSeconds(Int("seconds", 3)),
    Rounds: Int("rounds", 5),
    ColdStarts: Int("cold-starts", 10),
    ReuseBuilds: arguments.ContainsKey("reuse-builds"),
    ExtraSettings: extraSettings);

AppBuild[] builds =
[
    await AppBuild.PublishAsync("jit", aot: false, options.ReuseBuilds),
    await AppBuild.PublishAsync("aot", aot: true, options.ReuseBuilds),
];

if (arguments.TryGetValue("only", out var only))
{
    builds = builds.Where(b => b.Name == only).ToArray();
}

await using var bench = await Bench.StartAsync(options);
Console.Error.WriteLine("Warming Azurite up ...");
await bench.WarmUpAsync();
var acknowledge = new Dictionary<string, AcknowledgeFigures>();
var processing = processingConcurrencies.ToDictionary(c => c, _ => new Dictionary<string, ProcessingFigures>());
var parts = arguments.TryGetValue("parts", out var p) ? p.Split(',') : ["acknowledge", "processing", "cold-start"];
foreach (var build in builds)
{
    if (parts.Contains("acknowledge"))
    {
        Console.Error.WriteLine($"Acknowledge, {build.Name} ...");
        acknowledge[build.Name] = await AcknowledgeBenchmark.RunAsync(bench, build);
    }

    foreach (var concurrency in parts.Contains("processing") ? processingConcurrencies : [])
    {
        Console.Error.WriteLine($"Processing, {build.Name}, concurrency {concurrency} ...");
        bench.Options = options with { ProcessingConcurrency = concurrency };
        processing[concurrency][build.Name] = await ProcessingBenchmark.RunAsync(bench, build);
    }
}

var coldStarts = new Dictionary<string, double>();
if (parts.Contains("cold-start"))
{
    Console.Error.WriteLine("Cold starts ...");
    coldStarts = await ColdStartBenchmark.RunAsync(bench, builds);
}

if (parts.Length < 3)
{
    // A partial run (trying a change): the figures as they are.
    foreach (var figures in acknowledge.Select(a => $"{a.Key}: {a.Value}").Concat(processing.SelectMany(c => c.Value.Select(p => $"{p.Key}, concurrency {c.Key}: {p.Value}"))).Concat(coldStarts.Select(c => $"{c.Key}: cold start {c.Value:F0} ms")))
    {
        Console.WriteLine(figures);
    }

    return;
}

Console.WriteLine(Report.Machine());
Console.WriteLine();
Console.WriteLine(Report.Table(options, acknowledge, processing, coldStarts));
