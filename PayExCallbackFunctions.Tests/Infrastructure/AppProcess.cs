using System.Collections.Concurrent;
using System.Diagnostics;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// The app as its own process, as it runs in production: standalone (its own queue listener), or as
/// a Functions custom handler (FUNCTIONS_CUSTOMHANDLER_PORT set, invoked the way the host invokes it).
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private AppProcess(Process process, Uri baseUrl, string? callbackKey)
    {
        _process = process;
        BaseUrl = baseUrl;
        // Callbacks carry the function key, as PayEx's do through the registered callback URL.
        Http = new HttpClient(new CallbackKeyHandler(callbackKey) { InnerHandler = new SocketsHttpHandler() })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
        Raw = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseUrl { get; }

    /// <summary>Sends callbacks with the app's first callback key, unless a request carries a key of its own.</summary>
    public HttpClient Http { get; }

    /// <summary>Sends requests exactly as given: no key is added.</summary>
    public HttpClient Raw { get; }

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts the app and waits until it answers; <paramref name="settings"/> are its app settings.
    /// The build under test (<see cref="AppBuild"/>), unless <paramref name="executable"/> names another (e.g. a published package's).
    /// </summary>
    public static async Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, bool customHandler = false, Executable? executable = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var app = Launch(settings, customHandler, executable);
            try
            {
                await Eventually.TrueAsync(async () =>
                {
                    if (app.HasExited)
                    {
                        throw new InvalidOperationException($"The app exited with {app.ExitCode} before it was ready:\n{app.Output}");
                    }

                    try
                    {
                        return (await app.Http.GetAsync("/healthz")).IsSuccessStatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                }, "the app to answer /healthz");
                return app;
            }
            catch (InvalidOperationException) when (attempt < 3 && app.Output.Contains("address already in use", StringComparison.Ordinal))
            {
                // Another process took the free port first: try another.
                await app.DisposeAsync();
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Starts the app without waiting for it: for start-up failures.</summary>
    public static AppProcess Launch(IReadOnlyDictionary<string, string?> settings, bool customHandler = false, Executable? executable = null)
    {
        var port = FreePort.Next();
        var start = AppBuild.StartInfo(executable);
        if (customHandler)
        {
            start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString();
        }
        else
        {
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add($"http://127.0.0.1:{port}");
        }

        // Only what the test gives: nothing leaks in from the developer's environment.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PayEx", StringComparison.OrdinalIgnoreCase) || k.StartsWith("AzureWebJobs", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Storage__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("OTEL_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("APPLICATIONINSIGHTS_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var callbackKey = settings.TryGetValue("Access__CallbackKeys", out var keys) && keys?.Split(',')[0].Trim() is { Length: > 0 } first ? first : null;
        return new AppProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"), callbackKey);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Asks the app to stop, as the platform does on scale-in or deployment.</summary>
    public void Terminate() => Process.Start("kill", $"-TERM {_process.Id}")!.WaitForExit();

    /// <summary>Stops the app at once, as a crash would.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Raw.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

/// <summary>An executable of the app, started in <see cref="WorkingDirectory"/> as the Functions host starts its handler.</summary>
public sealed record Executable(string Path, string WorkingDirectory);

/// <summary>Adds <c>x-functions-key</c> to callback requests that carry no key (header or <c>code</c>) of their own.</summary>
internal sealed class CallbackKeyHandler(string? key) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (key is not null
            && request.RequestUri!.AbsolutePath.StartsWith("/api/payex/callbacks", StringComparison.Ordinal)
            && !request.Headers.Contains("x-functions-key")
            && !request.RequestUri.Query.Contains("code=", StringComparison.Ordinal))
        {
            request.Headers.Add("x-functions-key", key);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
