using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// The standalone app (its own queue listener included) in the test's process, so that its spans
/// and metrics can be collected with in-memory exporters added to its own OpenTelemetry setup.
/// </summary>
public sealed class InProcessApp : IAsyncDisposable
{
    private readonly WebApplicationFactory<PayExCallbackFunctions.Callbacks.CallbackParser> _factory;

    public InProcessApp(IReadOnlyDictionary<string, string?> settings)
    {
        _factory = new WebApplicationFactory<PayExCallbackFunctions.Callbacks.CallbackParser>().WithWebHostBuilder(host =>
        {
            foreach (var (key, value) in settings)
            {
                host.UseSetting(ConfigurationKey(key), value);
            }

            host.ConfigureServices(services => services
                .ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans))
                .ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(Metrics)));
        });
        Http = _factory.CreateClient();
    }

    /// <summary>Every span the app ended (other in-process apps' spans of the same sources too: filter by trace).</summary>
    private ConcurrentCollection<Activity> Spans { get; } = new();

    private ConcurrentCollection<MetricSnapshot> Metrics { get; } = new();

    public HttpClient Http { get; }

    public IServiceProvider Services => _factory.Services;

    /// <summary>Exports what the app has measured so far into <see cref="Metrics"/> (cumulative: the latest export is the total).</summary>
    public IReadOnlyList<MetricSnapshot> CollectMetrics()
    {
        Metrics.Clear();
        Services.GetRequiredService<MeterProvider>().ForceFlush();
        return [.. Metrics];
    }

    public IReadOnlyList<Activity> SpansOf(ActivityTraceId traceId) => AllSpans().Where(s => s.TraceId == traceId).ToArray();

    public IReadOnlyList<Activity> AllSpans()
    {
        Services.GetRequiredService<TracerProvider>().ForceFlush();
        return [.. Spans];
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _factory.DisposeAsync();
    }

    // App settings as environment variables name them; host.json's (AzureFunctionsJobHost__) as the app reads host.json.
    private static string ConfigurationKey(string key) =>
        key.StartsWith("AzureFunctionsJobHost__", StringComparison.Ordinal)
            ? key["AzureFunctionsJobHost__".Length..].Replace("__", ":", StringComparison.Ordinal)
            : key.Replace("__", ":", StringComparison.Ordinal);
}

/// <summary>What the in-memory exporters write to, from their export threads, while a test reads.</summary>
internal sealed class ConcurrentCollection<T> : ICollection<T>
{
    private readonly List<T> _items = [];
    private readonly Lock _lock = new();

    public int Count { get { lock (_lock) { return _items.Count; } } }

    public bool IsReadOnly => false;

    public void Add(T item) { lock (_lock) { _items.Add(item); } }

    public void Clear() { lock (_lock) { _items.Clear(); } }

    public bool Contains(T item) { lock (_lock) { return _items.Contains(item); } }

    public void CopyTo(T[] array, int arrayIndex) { lock (_lock) { _items.CopyTo(array, arrayIndex); } }

    public bool Remove(T item) { lock (_lock) { return _items.Remove(item); } }

    public IEnumerator<T> GetEnumerator()
    {
        lock (_lock)
        {
            return _items.ToList().GetEnumerator();
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Tests that run the app in the test process: its spans and meters would be heard by each other's listeners.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InProcessAppCollection
{
    public const string Name = "In-process app";
}
