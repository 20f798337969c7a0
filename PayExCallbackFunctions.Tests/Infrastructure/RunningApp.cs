using System.Net.Http.Headers;
using System.Text;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// The app under the Functions host against its own queue and tables on Azurite, and its own PayEx
/// stand-in: the unit of most end-to-end tests, shared by a test class where isolation allows.
/// </summary>
public class RunningApp : IAsyncLifetime, IAsyncDisposable
{
    private readonly Dictionary<string, string?> _extraSettings;

    public RunningApp() : this(null) { }

    protected RunningApp(Dictionary<string, string?>? settings) => _extraSettings = settings ?? [];

    public StandIn PayEx { get; private set; } = null!;

    public TestStorage Storage { get; private set; } = null!;

    public HostProcess App { get; private set; } = null!;

    /// <summary>For a test of its own: the app with <paramref name="configure"/> applied to its settings.</summary>
    public static async Task<RunningApp> StartAsync(Action<Dictionary<string, string?>> configure)
    {
        var settings = new Dictionary<string, string?>();
        configure(settings);
        var app = new RunningApp(settings);
        try
        {
            await app.InitializeAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

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

        App = await HostProcess.StartAsync(settings);
    }

    public virtual async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (Storage is not null)
        {
            await Storage.DisposeAsync();
        }

        if (PayEx is not null)
        {
            await PayEx.DisposeAsync();
        }
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

/// <summary>
/// The app with its queue function switched off as the host allows (<c>AzureWebJobs.ProcessPayExCallback.Disabled</c>):
/// what the callback function enqueues stays on the queue to be read back. The largest body limit allowed.
/// </summary>
public sealed class AcknowledgeOnlyApp() : RunningApp(new()
{
    ["AzureWebJobs.ProcessPayExCallback.Disabled"] = "true",
    ["Callbacks__MaxBodyBytes"] = "20480",
});

/// <summary>
/// The app with the host's and the worker's telemetry exported to a sink on loopback, as both
/// Application Insights (JSON lines) and OTLP (protobuf) would receive it; metrics every second.
/// </summary>
public sealed class TelemetryApp : RunningApp
{
    public TelemetryApp() : this(new TelemetrySink()) { }

    private TelemetryApp(TelemetrySink sink) : base(new()
    {
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = $"InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint={sink.BaseUrl}",
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = sink.BaseUrl.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        // As the deployment sets it: the host keeps every trace, not its default 5 a second (README, Monitoring).
        ["OTEL_TRACES_SAMPLER"] = "microsoft.fixed_percentage",
        ["OTEL_TRACES_SAMPLER_ARG"] = "1.0",
        ["Telemetry__QueueSampleSeconds"] = "1",
        // A 503 from PayEx goes to the retry path at once, so that each attempt is a span of its own.
        ["PayEx__QuickRetries"] = "0",
        // The app must not rely on the instrumentation redacting query values: that can be turned off.
        ["OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION"] = "true",
        ["DOTNET_SYSTEM_NET_HTTP_DISABLEURIREDACTION"] = "true",
        ["Access__SigningSecret"] = SigningSecret,
        ["Access__RequireSignature"] = "false",
    }) => Sink = sink;

    public const string SigningSecret = "telemetry-signing-secret-Ue9Jg6Ny1Qa4Wc7Xz";

    public TelemetrySink Sink { get; }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Sink.DisposeAsync();
    }
}
