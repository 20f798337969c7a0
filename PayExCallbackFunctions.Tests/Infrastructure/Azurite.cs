using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// A real Azurite (queues and tables), started from the repository's pinned npm package on free
/// loopback ports, with its data in a temporary folder so that it survives a restart.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    // Azurite's well-known development account; public, not a secret.
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<Task<Azurite>> SharedInstance = new(async () =>
    {
        var azurite = await StartAsync();
        // Its data folder goes with it: a test run leaves nothing in the temp directory.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => azurite.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return azurite;
    });

    private readonly string _location;
    private readonly int _blobPort = FreePort.Next();
    private Process? _process;

    private Azurite(string location)
    {
        _location = location;
        QueuePort = FreePort.Next();
        TablePort = FreePort.Next();
    }

    /// <summary>One Azurite for the whole test run; each test uses its own queue and table names, each host its own id.</summary>
    public static Task<Azurite> Shared => SharedInstance.Value;

    public int BlobPort => _blobPort;

    public int QueuePort { get; }

    public int TablePort { get; }

    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        $"AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{_blobPort}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public static async Task<Azurite> StartAsync()
    {
        var azurite = new Azurite(Directory.CreateTempSubdirectory("azurite-").FullName);
        await azurite.RestartAsync();
        return azurite;
    }

    /// <summary>Starts Azurite again on the same ports and data (after <see cref="Stop"/>).</summary>
    public async Task RestartAsync()
    {
        var executable = await EnsureInstalledAsync();
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _location,
        };
        foreach (var argument in new[]
                 {
                     "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--loose",
                     "--location", _location,
                     "--blobHost", "127.0.0.1", "--blobPort", _blobPort.ToString(),
                     "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(),
                     "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Eventually.TrueAsync(async () => await IsListeningAsync(QueuePort) && await IsListeningAsync(TablePort), "Azurite to listen");
    }

    /// <summary>
    /// Stops Azurite, as an outage would. Gracefully: Azurite keeps its data in memory and saves it
    /// now and then, so a hard kill would lose messages a real storage account never loses.
    /// </summary>
    public void Stop()
    {
        if (_process is { HasExited: false } process)
        {
            Process.Start("kill", $"-TERM {process.Id}")!.WaitForExit();
            // Long enough for a save on a loaded machine; killed before it, Azurite would lose what it has not saved.
            if (process.WaitForExit(60_000))
            {
                return;
            }
        }

        Kill();
    }

    /// <summary>
    /// Stops Azurite, makes every message visible now, and starts it again: what the end of the queue
    /// trigger's message lease (10 minutes, fixed in the host) does for a message whose host died.
    /// </summary>
    public async Task ExpireQueueLeasesAsync()
    {
        Stop();
        var file = Path.Combine(_location, "__azurite_db_queue__.json");
        var db = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var collection in db["collections"]!.AsArray())
        {
            if (collection!["name"]!.GetValue<string>() == "$MESSAGES_COLLECTION$")
            {
                foreach (var message in collection["data"]!.AsArray())
                {
                    message!["timeNextVisible"] = Math.Min(message["timeNextVisible"]!.GetValue<long>(), now);
                }
            }
        }

        await File.WriteAllTextAsync(file, db.ToJsonString());
        await RestartAsync();
    }

    /// <summary>
    /// Freezes Azurite (SIGSTOP): its ports still accept connections, as the kernel answers them, but no request
    /// gets an answer. What a storage that hangs, rather than refuses, looks like to a client.
    /// </summary>
    public void Pause() => Signal("STOP");

    /// <summary>Lets a paused Azurite go on (SIGCONT); it then answers what waited.</summary>
    public void Resume() => Signal("CONT");

    private void Signal(string signal)
    {
        if (_process is { HasExited: false } process)
        {
            Process.Start("kill", $"-{signal} {process.Id}")!.WaitForExit();
        }
    }

    /// <summary>Stops Azurite at once.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return ValueTask.CompletedTask;
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private static async Task<string> EnsureInstalledAsync()
    {
        var executable = Path.Combine(RepoPaths.Root, "node_modules", ".bin", "azurite");
        await InstallLock.WaitAsync();
        try
        {
            if (!File.Exists(executable))
            {
                // The repository pins Azurite in package-lock.json; install it as CI does.
                var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund --loglevel=error") { WorkingDirectory = RepoPaths.Root })!;
                await npm.WaitForExitAsync();
                if (npm.ExitCode != 0 || !File.Exists(executable))
                {
                    throw new InvalidOperationException("Azurite is not installed and 'npm ci' failed: run 'npm ci' in the repository root.");
                }
            }

            return executable;
        }
        finally
        {
            InstallLock.Release();
        }
    }
}
