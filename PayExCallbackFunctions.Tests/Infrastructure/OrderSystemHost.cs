using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PayExCallbackFunctions.OrderSystem;
using PayExCallbackFunctions.OrderSystem.Orders;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// The sample order system, in-process on a free loopback port, with its data in a temporary directory of its own
/// (removed on dispose): the real receiver of the app's webhook (<see cref="WebhookUrl"/>, signed with one of
/// <see cref="Secrets"/>) and, given a queue, its events queue's consumer.
/// </summary>
public sealed class OrderSystemHost : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _timeProvider;
    private WebApplication _app;

    private OrderSystemHost(WebApplication app, Dictionary<string, string?> settings, TimeProvider? timeProvider, IReadOnlyList<string> secrets, string dataDirectory)
    {
        _app = app;
        _settings = settings;
        _timeProvider = timeProvider;
        Secrets = secrets;
        DataDirectory = dataDirectory;
        BaseUrl = Loopback.AddressOf(app);
        Http = new HttpClient { BaseAddress = BaseUrl };
    }

    /// <summary>The order system's root, e.g. http://127.0.0.1:23456/.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Where the app's webhook posts events (Standard Webhooks, signed with one of <see cref="Secrets"/>).</summary>
    public Uri WebhookUrl => new(BaseUrl, "webhooks/payex");

    /// <summary>The secrets the order system accepts: the first is the one to sign with.</summary>
    public IReadOnlyList<string> Secrets { get; }

    public string Secret => Secrets[0];

    /// <summary>Where its orders/ and receipts/ are.</summary>
    public string DataDirectory { get; }

    /// <summary>A client of the order system (for posting to it or reading it directly).</summary>
    public HttpClient Http { get; }

    /// <summary>A new Standard Webhooks secret: whsec_ and the base64 of 32 random bytes.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// Starts the order system. <paramref name="secrets"/>: those it accepts (default: one new one);
    /// <paramref name="storageConnection"/> and <paramref name="queue"/>: the events queue to consume (default: none);
    /// <paramref name="timeProvider"/>: the clock the signatures' timestamps are checked against (default: the system's).
    /// </summary>
    public static async Task<OrderSystemHost> StartAsync(
        IEnumerable<string>? secrets = null, string? storageConnection = null, string? queue = null, TimeProvider? timeProvider = null)
    {
        var accepted = secrets?.ToList() ?? [NewSecret()];
        var dataDirectory = Directory.CreateTempSubdirectory("order-system-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["OrderSystem:DataDirectory"] = dataDirectory,
            ["OrderSystem:StorageConnection"] = storageConnection,
        };
        if (queue is not null)
        {
            settings["OrderSystem:Queue"] = queue;
        }

        for (var i = 0; i < accepted.Count; i++)
        {
            settings[$"OrderSystem:WebhookSecrets:{i}"] = accepted[i];
        }

        try
        {
            var app = await StartAppAsync(settings, timeProvider);
            return new OrderSystemHost(app, settings, timeProvider, accepted, dataDirectory);
        }
        catch
        {
            Directory.Delete(dataDirectory, recursive: true);
            throw;
        }
    }

    /// <summary>Stops the order system and starts it again on the same port and data, as after a crash or deploy.</summary>
    public async Task RestartAsync()
    {
        await StopAppAsync();
        _app = await StartAppAsync(new Dictionary<string, string?>(_settings) { ["urls"] = BaseUrl.ToString() }, _timeProvider);
    }

    public async Task<List<Order>> OrdersAsync() =>
        (await Http.GetFromJsonAsync("/orders", OrderSystemJson.Default.ListOrder))!;

    /// <summary>The order of <paramref name="payment"/>, or null if no event of it was applied.</summary>
    public async Task<Order?> OrderAsync(Guid payment)
    {
        using var response = await Http.GetAsync($"/orders/{payment:D}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(OrderSystemJson.Default.Order);
    }

    public async Task<List<Receipt>> ReceiptsAsync() =>
        (await Http.GetFromJsonAsync("/receipts", OrderSystemJson.Default.ListReceipt))!;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await StopAppAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }

    private static async Task<WebApplication> StartAppAsync(Dictionary<string, string?> settings, TimeProvider? timeProvider)
    {
        var app = OrderSystemApp.Build(settings: settings, timeProvider: timeProvider);
        try
        {
            await app.StartAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private async Task StopAppAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
