using System.Globalization;
using System.Net;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.PayExStandIn.Payments;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>What every measurement shares: one Azurite, one PayEx stand-in, the app's settings, clients for both.</summary>
public sealed class Bench : IAsyncDisposable
{
    private readonly WebApplication _standIn;

    private Bench(Azurite azurite, WebApplication standIn, Uri standInUrl, BenchOptions options)
    {
        Azurite = azurite;
        _standIn = standIn;
        StandInUrl = standInUrl;
        Options = options;
        StandIn = standIn.Services.GetRequiredService<StandInState>();
        Payments = standIn.Services.GetRequiredService<StandInPayments>();
        // Azurite is this process's child (node, exec'd by its launcher script); its CPU is the storage's share of a callback.
        AzuriteProcessId = ProcessTable.ChildrenOf(Environment.ProcessId).FirstOrDefault(pid => ProcessTable.CommandLine(pid).Contains("azurite", StringComparison.Ordinal));
        // As the app's own clients: the app encodes its messages itself.
        Queues = new QueueServiceClient(azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        Tables = new TableServiceClient(azurite.ConnectionString);
    }

    public Azurite Azurite { get; }

    public StandInState StandIn { get; }

    /// <summary>The stand-in's scripted payment lives.</summary>
    public StandInPayments Payments { get; }

    /// <summary>Azurite's process (0 if not found): its CPU time is measured with the host's and the worker's.</summary>
    public int AzuriteProcessId { get; }

    public Uri StandInUrl { get; }

    /// <summary>The settings; the processing concurrency changes between processing runs.</summary>
    public BenchOptions Options { get; set; }

    public QueueServiceClient Queues { get; }

    public TableServiceClient Tables { get; }

    public static async Task<Bench> StartAsync(BenchOptions options)
    {
        var azurite = await Azurite.StartAsync();
        var standIn = PayExStandIn.PayExStandIn.Build("http://127.0.0.1:0", seedExamples: false);
        await standIn.StartAsync();
        var url = Loopback.AddressOf(standIn);
        return new Bench(azurite, standIn, url, options);
    }

    /// <summary>The app's settings for a run on its own queue and tables, as environment variables for func (host and worker).</summary>
    public Dictionary<string, string> Settings(string name, bool processing)
    {
        var settings = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = Azurite.ConnectionString,
            ["PayExCallbackQueue"] = $"{name}-callbacks",
            ["Storage__PaymentsTable"] = $"{name.Replace("-", "", StringComparison.Ordinal)}Payments",
            ["Storage__DeadLettersTable"] = $"{name.Replace("-", "", StringComparison.Ordinal)}DeadLetters",
            ["Storage__RejectedCallbacksTable"] = $"{name.Replace("-", "", StringComparison.Ordinal)}Rejected",
            ["Storage__PaymentReferencesTable"] = $"{name.Replace("-", "", StringComparison.Ordinal)}References",
            ["Storage__PaymentChecksTable"] = $"{name.Replace("-", "", StringComparison.Ordinal)}Checks",
            ["PayExTrackingSweep"] = "*/30 * * * * *",
            ["Events__Queue"] = $"{name}-events",
            // No scheduled check comes due within a run: the processing measured is the callbacks'.
            ["Tracking__Schedule"] = "1.00:00:00",
            ["PayEx__BaseUrl"] = StandInUrl.ToString(),
            ["PayEx__Token"] = PayExStandIn.PayExStandIn.DefaultToken,
        };
        if (processing)
        {
            // host.json's queue settings, overridden as the host allows: the queue trigger's concurrency.
            settings["AzureFunctionsJobHost__extensions__queues__batchSize"] = Options.BatchSize.ToString(CultureInfo.InvariantCulture);
            settings["AzureFunctionsJobHost__extensions__queues__newBatchThreshold"] = Options.NewBatchThreshold.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            // The host's switch for a function: callbacks are acknowledged and stay queued. The dotted
            // name, which the host reads (AzureWebJobs__ProcessPayExCallback__Disabled does not switch it off).
            settings["AzureWebJobs.ProcessPayExCallback.Disabled"] = "true";
        }

        foreach (var (key, value) in Options.Profile ? Profile.Settings : new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in Options.ExtraSettings)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>An HTTP client that posts callbacks as PayEx does, on up to <paramref name="connections"/> connections (no key: func runs without --enableAuth).</summary>
    public static HttpClient CallbackClient(Uri baseUrl, int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    })
    {
        BaseAddress = baseUrl,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static async Task PostCallbackAsync(HttpClient http, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/payex/callbacks", UriKind.Relative)) { Content = content };
        using var response = await http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"The app answered {(int)response.StatusCode}.");
        }
    }

    /// <summary>Azurite runs on Node, which compiles its hot code as it goes: the first measurement must not pay for that.</summary>
    public async Task WarmUpAsync()
    {
        var queue = Queues.GetQueueClient("warm-up");
        await queue.CreateIfNotExistsAsync();
        var table = Tables.GetTableClient("WarmUp");
        await table.CreateIfNotExistsAsync();
        var body = new string('x', 1000);
        await Load.ClosedAsync(Options.Concurrency, TimeSpan.FromSeconds(5), async i =>
        {
            await queue.SendMessageAsync(body);
            await table.AddEntityAsync(new TableEntity(Guid.NewGuid().ToString(), "row") { ["Body"] = body });
        });
        await queue.DeleteAsync();
        await table.DeleteAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _standIn.StopAsync();
        await _standIn.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}

/// <summary>The benchmark's settings (command line: --concurrency 32 --callbacks 2000 ...).</summary>
public sealed record BenchOptions(
    int Concurrency,
    int ProcessingConcurrency,
    int Callbacks,
    TimeSpan PayExDelay,
    TimeSpan Duration,
    int Rounds,
    int Starts,
    bool ReuseBuilds,
    IReadOnlyDictionary<string, string> ExtraSettings,
    int CapturedPercent,
    bool Profile = false)
{
    /// <summary>
    /// The host's queue settings for <see cref="ProcessingConcurrency"/>: at most batchSize +
    /// newBatchThreshold callbacks in flight; small batches keep it near the bound.
    /// </summary>
    public int BatchSize => Math.Clamp(ProcessingConcurrency / 4, 1, 32);

    public int NewBatchThreshold => ProcessingConcurrency - BatchSize;
}
