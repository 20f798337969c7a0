using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// One published app under the real Functions host: <c>func start --no-build --script-root</c>,
/// without <c>--enableAuth</c> (every request counts as admin, no key is checked), with the given
/// app settings as environment variables. The launcher's output goes to artifacts/benchmark/logs.
/// </summary>
public sealed class HostRun : IAsyncDisposable
{
    private readonly Process _launcher;
    private readonly AppBuild _build;
    private readonly string _work;
    private readonly StreamWriter _log;
    private int _hostProcessId;
    private bool _closed;

    private HostRun(Process launcher, AppBuild build, Uri baseUrl, string work, StreamWriter log)
    {
        _launcher = launcher;
        _build = build;
        BaseUrl = baseUrl;
        _work = work;
        _log = log;
    }

    public Uri BaseUrl { get; }

    public static HostRun Start(AppBuild build, IReadOnlyDictionary<string, string> settings, string logName)
    {
        var port = FreePort.Next();
        var work = Directory.CreateTempSubdirectory("payex-bench-host-").FullName;
        var start = new ProcessStartInfo(Func.Path)
        {
            WorkingDirectory = build.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "start", "--no-build", "--script-root", build.Directory, "--port", port.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        // Only the benchmark's settings: nothing leaks in from the developer's environment.
        string[] prefixes = ["PayEx", "AzureWebJobs", "AzureFunctions", "Storage__", "Access__", "Callbacks__", "Retry__", "Telemetry__", "OTEL_", "APPLICATIONINSIGHTS_", "FUNCTIONS_", "Logging__", "DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT"];
        foreach (var key in start.Environment.Keys.Where(k => prefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        // A host id of its own: no other host's locks or secrets, no wait for a lease a killed host held.
        start.Environment["AzureFunctionsWebHost__hostid"] = $"b{Guid.NewGuid():N}"[..24];
        start.Environment["FUNCTIONS_SECRETS_PATH"] = Path.Combine(work, "secrets");
        start.Environment["FUNCTIONS_LOG_PATH"] = Path.Combine(work, "logs");
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var logs = Path.Combine(RepoPaths.Root, "artifacts", "benchmark", "logs");
        Directory.CreateDirectory(logs);
        var log = new StreamWriter(Path.Combine(logs, $"{logName}.log"));
        var launcher = Process.Start(start)!;
        var run = new HostRun(launcher, build, new Uri($"http://127.0.0.1:{port}"), work, log);
        launcher.OutputDataReceived += (_, e) => run.Log(e.Data);
        launcher.ErrorDataReceived += (_, e) => run.Log(e.Data);
        launcher.BeginOutputReadLine();
        launcher.BeginErrorReadLine();
        return run;
    }

    private void Log(string? line)
    {
        lock (_log)
        {
            if (line is not null && !_closed)
            {
                _log.WriteLine(line);
            }
        }
    }

    /// <summary>Waits until the host answers and says it is running, its functions loaded.</summary>
    public async Task WaitReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () =>
        {
            if (_launcher.HasExited)
            {
                throw new InvalidOperationException($"func exited with {_launcher.ExitCode}; see artifacts/benchmark/logs.");
            }

            try
            {
                using var status = await http.GetAsync(new Uri("/admin/host/status", UriKind.Relative));
                return status.IsSuccessStatusCode && JsonNode.Parse(await status.Content.ReadAsStringAsync())?["state"]?.GetValue<string>() == "Running";
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the host to be running", TimeSpan.FromSeconds(90));
    }

    /// <summary>The Functions host's process: the launcher's child (in a session of its own).</summary>
    public int HostProcessId => _hostProcessId > 0 ? _hostProcessId
        : _hostProcessId = ProcessTable.ChildrenOf(_launcher.Id).FirstOrDefault(pid => ProcessTable.CommandLine(pid).Contains("Microsoft.Azure.WebJobs.Script.WebHost.dll", StringComparison.Ordinal));

    /// <summary>The .NET isolated worker the host runs now.</summary>
    public int WorkerProcessId => ProcessTable.ChildrenOf(HostProcessId).FirstOrDefault(pid => ProcessTable.CommandLine(pid).Contains(_build.WorkerAssembly, StringComparison.Ordinal));

    /// <summary>CPU time (user and system) the host and the worker have used so far.</summary>
    public (TimeSpan Host, TimeSpan Worker) CpuTime() => (CpuTime(HostProcessId), CpuTime(WorkerProcessId));

    /// <summary>
    /// CPU time the host's and the worker's tiered JIT (the runtime's ".NET Tiered Com" threads, which recompile hot
    /// methods) have used so far; a thread that ended counts with what it had used when last seen.
    /// </summary>
    public TimeSpan JitCpuTime()
    {
        foreach (var pid in new[] { HostProcessId, WorkerProcessId }.Where(pid => pid > 0))
        {
            foreach (var task in Directory.Exists($"/proc/{pid}/task") ? Directory.GetDirectories($"/proc/{pid}/task") : [])
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered", StringComparison.Ordinal))
                    {
                        _jitThreads[$"{pid}/{Path.GetFileName(task)}"] = CpuTime(File.ReadAllText(Path.Combine(task, "stat")));
                    }
                }
                catch (IOException)
                {
                    // The thread ended meanwhile.
                }
            }
        }

        return _jitThreads.Values.Aggregate(TimeSpan.Zero, (sum, cpu) => sum + cpu);
    }

    private readonly Dictionary<string, TimeSpan> _jitThreads = [];

    /// <summary>The most resident memory (VmHWM) the host and the worker have used since they started, in MiB.</summary>
    public (double Host, double Worker) PeakRssMiB() => (PeakRssMiB(HostProcessId), PeakRssMiB(WorkerProcessId));

    private static double PeakRssMiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>CPU time (user and system) a process has used so far, from /proc.</summary>
    public static TimeSpan CpuTime(int pid) => CpuTime(File.ReadAllText($"/proc/{pid}/stat"));

    private static TimeSpan CpuTime(string stat)
    {
        // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 14th and 15th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return TimeSpan.FromSeconds((long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0);
    }

    /// <summary>Kills func, the host and the worker at once: a graceful stop is not what is measured.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_launcher.HasExited)
        {
            _launcher.Kill(entireProcessTree: true);
        }

        await _launcher.WaitForExitAsync();
        _launcher.Dispose();
        lock (_log)
        {
            _closed = true;
            _log.Dispose();
        }

        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
