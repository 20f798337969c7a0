using System.Net.Http.Headers;
using System.Text;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// The app running against its own queue and table on Azurite, and its own PayEx stand-in: the
/// unit of most integration tests. Standalone by default; as a custom handler on request.
/// </summary>
public class RunningApp : IAsyncLifetime, IAsyncDisposable
{
    private readonly bool _customHandler;
    private readonly Dictionary<string, string?> _extraSettings;

    public RunningApp() : this(customHandler: false) { }

    protected RunningApp(bool customHandler, Dictionary<string, string?>? settings = null)
    {
        _customHandler = customHandler;
        _extraSettings = settings ?? [];
    }

    public StandIn PayEx { get; private set; } = null!;

    public TestStorage Storage { get; private set; } = null!;

    public AppProcess App { get; private set; } = null!;

    /// <summary>For a test of its own: the app with <paramref name="configure"/> applied to its settings.</summary>
    public static async Task<RunningApp> StartAsync(Action<Dictionary<string, string?>> configure)
    {
        var settings = new Dictionary<string, string?>();
        configure(settings);
        var app = new RunningApp(customHandler: false, settings);
        await app.InitializeAsync();
        return app;
    }

    public async Task InitializeAsync()
    {
        PayEx = await StandIn.StartAsync();
        Storage = await TestStorage.CreateAsync();
        var settings = Storage.Settings(PayEx);
        foreach (var (key, value) in _extraSettings)
        {
            settings[key] = value;
        }

        App = await AppProcess.StartAsync(settings, _customHandler);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Storage.DisposeAsync();
        await PayEx.DisposeAsync();
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    public Task<HttpResponseMessage> PostCallbackAsync(string json, string contentType = "application/json") =>
        PostAsync("/api/payex/callbacks", Encoding.UTF8.GetBytes(json), contentType);

    public async Task<HttpResponseMessage> PostAsync(string path, byte[] body, string? contentType)
    {
        using var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return await App.Http.PostAsync(path, content);
    }
}

/// <summary>The app as a Functions custom handler: no queue listener of its own; the largest body limit allowed.</summary>
public sealed class CustomHandlerApp() : RunningApp(customHandler: true, new() { ["Callbacks__MaxBodyBytes"] = "20480" });
