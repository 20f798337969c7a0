using System.Diagnostics;
using System.Globalization;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// --profile: Linux perf samples the processing host and its worker during each phase's measured window, to
/// artifacts/benchmark/perf-{name}.data (read with <c>perf report -i ... --sort sym</c>). The runtime writes
/// /tmp/perf-{pid}.map for its compiled code (<see cref="Settings"/>), so managed frames have names.
/// </summary>
public sealed class Profile : IAsyncDisposable
{
    /// <summary>What the host and worker need for perf to name managed code: a perf map, and code not double-mapped.</summary>
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["DOTNET_PerfMapEnabled"] = "1",
        ["DOTNET_EnableWriteXorExecute"] = "0",
    };

    private readonly Process _perf;

    private Profile(Process perf) => _perf = perf;

    public static Profile Start(HostRun app, string name)
    {
        var output = Path.Combine(RepoPaths.Root, "artifacts", "benchmark", $"perf-{name}.data");
        var start = new ProcessStartInfo("perf") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "record", "-g", "-F", "499", "-o", output, "-p", string.Create(CultureInfo.InvariantCulture, $"{app.HostProcessId},{app.WorkerProcessId}") })
        {
            start.ArgumentList.Add(argument);
        }

        return new Profile(Process.Start(start)!);
    }

    public async ValueTask DisposeAsync()
    {
        // perf writes its file on SIGINT.
        using (var interrupt = Process.Start("kill", $"-INT {_perf.Id}"))
        {
            await interrupt.WaitForExitAsync();
        }

        await _perf.WaitForExitAsync();
        _perf.Dispose();
    }
}
