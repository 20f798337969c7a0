using System.Diagnostics;
using System.Globalization;
using PayExCallbackFunctions.Benchmarks;

// dotnet run -c Release --project PayExCallbackFunctions.Benchmarks [-- --concurrency 32 --processing-concurrency 8,32
//   --callbacks 2000 --captured-percent 100 --processing-rounds 1 --payex-delay-ms 50 --seconds 3 --rounds 5 --starts 5 --reuse-builds]
//   [--set Name=Value ...: extra app settings, to try a change] [--parts acknowledge,processing,start]
//   [--before [git-ref,...]: processing also measured for the app as it was at each commit (default: before issue 24's
//    status, 7de87d9), built from git's history, against the same raw baseline; implies --count-requests]
//   [--count-requests: storage requests per callback, counted through a proxy in an untimed pass]
//   [--parts tracking: scheduled checks per second, storage requests per check, one sweep's read among 99,000 due later]
//   [--parts events: events delivered per second to the queue and a loopback webhook against raw loops; callback-to-event lag at half load]
//   [--profile: perf samples the processing host and worker in each phase's measured window, to artifacts/benchmark/perf-*.data]
// Everything runs under the Functions host (func start --no-build, without --enableAuth), on one Azurite.
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
    Starts: Int("starts", 5),
    ReuseBuilds: arguments.ContainsKey("reuse-builds"),
    ExtraSettings: extraSettings,
    CapturedPercent: Math.Clamp(Int("captured-percent", 100), 1, 100),
    Profile: arguments.ContainsKey("profile"));
var parts = arguments.TryGetValue("parts", out var p) ? p.Split(',') : ["acknowledge", "processing", "start"];
// The last commit before issue 24's normalised status (39f69f7): its writer inserted a new payment's rows blind.
const string BeforeStatus = "7de87d94ea039eaabf35602a0d06659e573f8f1e";
string[] beforeRevisions = arguments.TryGetValue("before", out var b) ? (b == "true" ? [BeforeStatus] : b.Split(',')) : [];
var countRequests = beforeRevisions.Length > 0 || arguments.ContainsKey("count-requests");
var processingRounds = Math.Max(1, Int("processing-rounds", 1));
var watch = Stopwatch.StartNew();

// The app as deployed (ReadyToRun), the app as plain JIT, and the two baseline apps beside this project.
var app = await AppBuild.PublishAsync("app", "PayExCallbackFunctions", "PayExCallbackFunctions", options.ReuseBuilds);
var jit = await AppBuild.PublishAsync("app-jit", "PayExCallbackFunctions", "PayExCallbackFunctions", options.ReuseBuilds, "-p:PublishReadyToRun=false");
var naive = await AppBuild.PublishAsync("naive", "PayExCallbackFunctions.Benchmarks/NaiveApp", "NaiveApp", options.ReuseBuilds);
var bare = await AppBuild.PublishAsync("bare", "PayExCallbackFunctions.Benchmarks/BareApp", "BareApp", options.ReuseBuilds);
var befores = new List<AppBuild>();
foreach (var revision in beforeRevisions)
{
    befores.Add(await AppBuild.PublishRevisionAsync(revision, options.ReuseBuilds));
}
Console.Error.WriteLine($"Published in {watch.Elapsed.TotalSeconds:F0} s.");

await using var bench = await Bench.StartAsync(options);
Console.Error.WriteLine("Warming Azurite up ...");
await bench.WarmUpAsync();

AcknowledgeFigures? acknowledge = null;
if (parts.Contains("acknowledge"))
{
    Console.Error.WriteLine("Acknowledge: the app, its JIT build, the naive app, the bare app, raw sends ...");
    acknowledge = await AcknowledgeBenchmark.RunAsync(bench, app, [jit, naive, bare]);
}

var processing = new List<ProcessingFigures>();
var requests = new List<StorageRequests>();
foreach (var concurrency in parts.Contains("processing") ? processingConcurrencies : [])
{
    bench.Options = options with { ProcessingConcurrency = concurrency };
    var runs = befores.Prepend(app).ToDictionary(build => build, _ => new List<AppProcessing>());
    for (var round = 0; round < processingRounds; round++)
    {
        // The builds in turn, the order swapped each round, so that neither always meets the machine after the other.
        foreach (var build in round % 2 == 0 ? runs.Keys.Reverse() : runs.Keys)
        {
            Console.Error.WriteLine($"Processing, concurrency {concurrency}, {build.Name}{(build.Revision is { } r ? $" ({r[..7]})" : "")}, round {round + 1} of {processingRounds} ...");
            runs[build].Add(await ProcessingBenchmark.RunAsync(bench, build));
        }
    }

    var current = AppProcessing.Pool(runs[app]);
    Console.Error.WriteLine($"Processing, concurrency {concurrency}, the raw pipeline ...");
    var raw = await ProcessingBenchmark.RawPipelineAsync(bench, current, runs[app][0].Queued);
    processing.Add(new ProcessingFigures(concurrency, bench.Options.BatchSize, bench.Options.NewBatchThreshold, options.PayExDelay, raw, current,
        [.. befores.Select(before => new RevisionFigures(AppProcessing.Pool(runs[before]), [.. runs[app].Zip(runs[before], (a, b) => a.PerSecond / b.PerSecond)]))]));
}

if (parts.Contains("processing") && countRequests)
{
    foreach (var build in befores.Append(app))
    {
        Console.Error.WriteLine($"Storage requests per callback, {build.Name} (untimed, through a counting proxy) ...");
        requests.Add(await StorageRequestsBenchmark.RunAsync(bench, build));
    }
}

bench.Options = options;
TrackingFigures? tracking = null;
if (parts.Contains("tracking"))
{
    tracking = await TrackingBenchmark.RunAsync(bench, app);
}

EventsFigures? events = null;
if (parts.Contains("events"))
{
    events = await EventsBenchmark.RunAsync(bench, app);
}

Dictionary<string, double>? starts = null;
if (parts.Contains("start"))
{
    Console.Error.WriteLine("Start to first 200: the bare app, the app, its JIT build ...");
    starts = await StartBenchmark.RunAsync(bench, [bare, app, jit]);
}

Console.WriteLine(Report.Machine());
Console.WriteLine(await Report.HostAsync());
Console.WriteLine();
Console.WriteLine(Report.Table(options, acknowledge, processing, requests, starts));
if (tracking is not null)
{
    Console.WriteLine();
    Console.WriteLine(tracking.Table());
}
if (events is not null)
{
    Console.WriteLine();
    Console.WriteLine(events.Table());
}
Console.WriteLine();
Console.WriteLine($"Run time: {watch.Elapsed:m\\:ss} (publishing included).");
