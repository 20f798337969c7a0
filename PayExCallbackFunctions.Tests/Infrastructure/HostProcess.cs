using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// The app under the real Functions host, as <c>func start --enableAuth</c> runs it: the host and
/// its .NET isolated worker as real processes, the host checking keys (or, as run.sh starts it, not).
/// Its keys are read and made as an operator would: the master key from the host's secrets in storage,
/// a key of the callback function's own through the admin API.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    /// <summary>The name of the callback function's own key, as the README has the operator make it.</summary>
    public const string CallbackKeyName = "payex";

    /// <summary>The value every test host gives the callback function's key <see cref="CallbackKeyName"/>.</summary>
    public const string TestMasterKey = "test-master-key-Hw5Nc9Kd2Ys6Bf";

    public const string TestCallbackKey = "test-callback-key-Q3v8Lm2Rx7Tp";

    /// <summary>The name of the payments API's own key, as the README has the operator make it for the order system.</summary>
    public const string PaymentsKeyName = "orders";

    public const string TestPaymentsKey = "test-payments-key-Z4c7Wq1Np9Vb";

    private readonly Process _launcher;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly string _work;
    private readonly string _storage;
    private int _hostProcessId;

    private HostProcess(Process launcher, int port, string hostId, string work, string storage, bool enableAuth)
    {
        _launcher = launcher;
        EnableAuth = enableAuth;
        BaseUrl = new Uri($"http://127.0.0.1:{port}");
        HostId = hostId;
        _work = work;
        _storage = storage;
        Http = new HttpClient(new KeyHandler(this) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false } }) { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        Raw = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        launcher.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        launcher.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        launcher.BeginOutputReadLine();
        launcher.BeginErrorReadLine();
    }

    public Uri BaseUrl { get; }

    /// <summary>Started with <c>--enableAuth</c>: the host checks keys, as in Azure. Without it (run.sh) every request counts as admin.</summary>
    public bool EnableAuth { get; }

    /// <summary>The host's id (pinned, so that its secrets and locks are this host's alone).</summary>
    public string HostId { get; }

    /// <summary>Adds the callback function's key to callbacks, the payments API's to it, and the master key to the admin functions, unless a request carries a key.</summary>
    public HttpClient Http { get; }

    /// <summary>Sends requests exactly as given.</summary>
    public HttpClient Raw { get; }

    /// <summary>The host's master key: what the admin functions (authLevel admin) take.</summary>
    public string MasterKey { get; private set; } = "";

    /// <summary>The callback function's own key, made through the admin API.</summary>
    public string CallbackKey { get; private set; } = "";

    /// <summary>The payments API's own key (function PayExPayments), made through the admin API.</summary>
    public string PaymentsKey { get; private set; } = "";

    /// <summary>Everything the launcher, the host and the worker wrote (the worker's log lines come through the host).</summary>
    public string Output => string.Join('\n', _output);

    public bool HasExited => _launcher.HasExited;

    public int ExitCode => _launcher.ExitCode;

    /// <summary>Starts the app under the host and waits until it serves, its keys known.</summary>
    /// <param name="settings">The app settings, as the host passes them to the worker; AzureWebJobsStorage is required.</param>
    /// <param name="scriptRoot">The function app's folder; the app as built, if not given.</param>
    /// <param name="enableAuth">False to start it as run.sh does, the host checking no keys.</param>
    public static async Task<HostProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, string? scriptRoot = null, bool enableAuth = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            var host = Launch(settings, scriptRoot, enableAuth);
            try
            {
                await host.WaitUntilServingAsync();
                return host;
            }
            catch (InvalidOperationException) when (attempt < 3 && host.Output.Contains("is unavailable", StringComparison.Ordinal))
            {
                // Another process took the free port first: try another.
                await host.DisposeAsync();
            }
            catch
            {
                await host.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Starts the host without waiting for it: for start-up failures.</summary>
    public static HostProcess Launch(IReadOnlyDictionary<string, string?> settings, string? scriptRoot = null, bool enableAuth = true)
    {
        var port = FreePort.Next();
        var hostId = $"t{Guid.NewGuid():N}"[..24];
        var work = Directory.CreateTempSubdirectory("payex-host-").FullName;
        var start = new ProcessStartInfo(Func.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = scriptRoot ?? AppCopy.Root,
        };
        foreach (var argument in new[] { "start", "--no-build", "--script-root", scriptRoot ?? AppCopy.Root, enableAuth ? "--enableAuth" : null, "--port", port.ToString(), "--verbose" }.OfType<string>())
        {
            start.ArgumentList.Add(argument);
        }

        // Only what the test gives: nothing leaks in from the developer's environment.
        foreach (var key in start.Environment.Keys.Where(IsAppSetting).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["AzureFunctionsWebHost__hostid"] = hostId;
        start.Environment["FUNCTIONS_SECRETS_PATH"] = Path.Combine(work, "secrets");
        start.Environment["FUNCTIONS_LOG_PATH"] = Path.Combine(work, "logs");
        foreach (var (key, value) in settings)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var storage = settings.TryGetValue("AzureWebJobsStorage", out var connection) && connection is { Length: > 0 } ? connection : "";
        return new HostProcess(Process.Start(start)!, port, hostId, work, storage, enableAuth);
    }

    private static bool IsAppSetting(string key) =>
        new[] { "PayEx", "AzureWebJobs", "AzureFunctions", "Storage__", "Access__", "Callbacks__", "Retry__", "Tracking__", "Events__", "Telemetry__", "OTEL_", "APPLICATIONINSIGHTS_", "FUNCTIONS_", "Logging__", "DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT", "AZURE_FUNCTIONS_ENVIRONMENT" }
            .Any(prefix => key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    private async Task WaitUntilServingAsync()
    {
        // The host answers at all.
        await Eventually.TrueAsync(async () => await AnswersAsync("/admin/host/ping") == HttpStatusCode.OK, "the host to answer", TimeSpan.FromSeconds(90));

        // Without --enableAuth the host checks no keys: the admin API needs none to set them.
        var madeMaster = EnableAuth ? await ReadMasterKeyAsync() : "";
        // A master key of the test's choosing, set as an operator rotates it, for requests built before the host starts.
        using (var rotated = await Raw.PutAsync($"/admin/host/keys/_master?code={Uri.EscapeDataString(madeMaster)}",
                   new StringContent($$"""{"name":"_master","value":"{{TestMasterKey}}"}""", System.Text.Encoding.UTF8, "application/json")))
        {
            MasterKey = rotated.IsSuccessStatusCode ? TestMasterKey : throw new InvalidOperationException($"The admin API did not set the master key ({(int)rotated.StatusCode}):\n{Output}");
        }

        // Running, with the functions loaded (a worker that fails to start keeps it from getting there).
        await Eventually.TrueAsync(async () =>
        {
            using var status = await Raw.GetAsync($"/admin/host/status?code={Uri.EscapeDataString(MasterKey)}");
            return status.IsSuccessStatusCode && JsonNode.Parse(await status.Content.ReadAsStringAsync())?["state"]?.GetValue<string>() == "Running";
        }, "the host to be running", TimeSpan.FromSeconds(90));

        // Set as an operator sets a key they were given (PUT with a value), so that requests built
        // before the host starts (the bad-input corpus) can carry it.
        using var made = await Raw.PutAsync($"/admin/functions/PayExCallback/keys/{CallbackKeyName}?code={Uri.EscapeDataString(MasterKey)}",
            new StringContent($$"""{"name":"{{CallbackKeyName}}","value":"{{TestCallbackKey}}"}""", System.Text.Encoding.UTF8, "application/json"));
        var key = JsonNode.Parse(await made.Content.ReadAsStringAsync());
        CallbackKey = made.IsSuccessStatusCode && key?["value"]?.GetValue<string>() is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"The admin API made no key for PayExCallback ({(int)made.StatusCode}):\n{Output}");

        using var payments = await Raw.PutAsync($"/admin/functions/PayExPayments/keys/{PaymentsKeyName}?code={Uri.EscapeDataString(MasterKey)}",
            new StringContent($$"""{"name":"{{PaymentsKeyName}}","value":"{{TestPaymentsKey}}"}""", System.Text.Encoding.UTF8, "application/json"));
        PaymentsKey = payments.IsSuccessStatusCode
            ? TestPaymentsKey
            : throw new InvalidOperationException($"The admin API made no key for PayExPayments ({(int)payments.StatusCode}):\n{Output}");
    }

    private async Task<string> ReadMasterKeyAsync()
    {
        // A request with a key makes the host create its secrets, as any first keyed request does.
        await AnswersAsync("/admin/host/status?code=bootstrap");
        var secrets = new BlobContainerClient(_storage, "azure-webjobs-secrets").GetBlobClient($"{HostId}/host.json");
        var hostKeys = await Eventually.GetAsync(async () =>
        {
            ThrowIfExited();
            return await secrets.ExistsAsync() ? JsonNode.Parse((await secrets.DownloadContentAsync()).Value.Content.ToString()) : null;
        }, "the host's secrets in storage");
        return hostKeys!["masterKey"]!["value"]!.GetValue<string>();
    }

    private async Task<HttpStatusCode?> AnswersAsync(string path)
    {
        ThrowIfExited();
        try
        {
            using var response = await Raw.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private void ThrowIfExited()
    {
        if (HasExited)
        {
            throw new InvalidOperationException($"func exited with {ExitCode} before the app served:\n{Output}");
        }
    }

    /// <summary>Waits until the output holds <paramref name="text"/>: a line logged after a write reaches the host's stdout a moment after the write is seen.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(() => Task.FromResult(Output.Contains(text, StringComparison.Ordinal)), $"the log line '{text}'", timeout);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _launcher.WaitForExitAsync(cts.Token);
        return _launcher.ExitCode;
    }

    /// <summary>The Functions host's own process (func's child, in a session of its own).</summary>
    public int HostProcessId => _hostProcessId > 0 ? _hostProcessId : _hostProcessId = ProcessTable.ChildrenOf(_launcher.Id).FirstOrDefault();

    /// <summary>The .NET isolated worker the host runs now; 0 if there is none.</summary>
    public int WorkerProcessId => ProcessTable.ChildrenOf(HostProcessId).FirstOrDefault(pid => ProcessTable.CommandLine(pid).Contains("PayExCallbackFunctions.dll", StringComparison.Ordinal));

    /// <summary>func's processes and their command lines, for a failing test's message.</summary>
    public string ProcessTree()
    {
        var lines = new List<string>();
        void Add(int pid, int depth)
        {
            lines.Add($"{new string(' ', depth * 2)}{pid} {ProcessTable.CommandLine(pid)}");
            foreach (var child in ProcessTable.ChildrenOf(pid))
            {
                Add(child, depth + 1);
            }
        }

        Add(_launcher.Id, 0);
        return string.Join('\n', lines);
    }

    /// <summary>Kills the worker at once, as a crash would; the host starts another.</summary>
    public void KillWorker()
    {
        var worker = WorkerProcessId;
        Assert.True(worker > 0, "no worker process to kill");
        _ = Kill(worker, SigKill);
    }

    /// <summary>Kills the host and its worker at once, as losing the instance would.</summary>
    public void KillHost()
    {
        if (HostProcessId > 0)
        {
            _ = Kill(-HostProcessId, SigKill);
        }

        _launcher.WaitForExit(10_000);
    }

    /// <summary>Asks func to stop, as Ctrl-C or the platform's SIGTERM does.</summary>
    public void Terminate() => _ = Kill(_launcher.Id, SigTerm);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Raw.Dispose();
        if (!_launcher.HasExited)
        {
            if (HostProcessId > 0)
            {
                _ = Kill(-HostProcessId, SigKill);
            }

            _launcher.Kill(entireProcessTree: true);
            await _launcher.WaitForExitAsync();
        }

        _launcher.Dispose();
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }


    private const int SigKill = 9;
    private const int SigTerm = 15;

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code; one plain int call does not.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054

    /// <summary>Adds the key a request to this app needs, unless it carries one (header or <c>code</c>).</summary>
    private sealed class KeyHandler(HostProcess host) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            var path = uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString.Split('?')[0];
            if (!request.Headers.Contains("x-functions-key") && !(uri.IsAbsoluteUri ? uri.Query : uri.OriginalString).Contains("code=", StringComparison.Ordinal))
            {
                request.Headers.Add("x-functions-key", path switch
                {
                    _ when path.StartsWith("/api/payex/callbacks", StringComparison.Ordinal) => host.CallbackKey,
                    _ when path.StartsWith("/api/payments", StringComparison.Ordinal) => host.PaymentsKey,
                    _ => host.MasterKey,
                });
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
