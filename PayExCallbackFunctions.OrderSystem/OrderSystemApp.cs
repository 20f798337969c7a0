using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.OrderSystem.Orders;
using PayExCallbackFunctions.OrderSystem.Queue;
using PayExCallbackFunctions.OrderSystem.Webhooks;

namespace PayExCallbackFunctions.OrderSystem;

/// <summary>
/// The sample order system: receives the app's payment events from its signed webhook and, if configured, from its
/// events queue, and keeps orders and receipts as files. Merchants copy it; the tests host it as the real receiver.
/// </summary>
public static class OrderSystemApp
{
    public const string DefaultUrl = "http://127.0.0.1:5072";

    /// <summary>
    /// Builds the order system from <paramref name="args"/> (<c>--urls</c>, settings), the environment
    /// (<c>OrderSystem__...</c>) and <paramref name="settings"/>, which override both; <paramref name="timeProvider"/>
    /// for the clock the signatures' tolerance is checked against (default: the system's).
    /// </summary>
    public static WebApplication Build(string[]? args = null, IEnumerable<KeyValuePair<string, string?>>? settings = null, TimeProvider? timeProvider = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.WebHost.UseUrls(builder.Configuration["urls"] ?? DefaultUrl);
        // One line per event applied or ignored; not one per request.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // Settings: the OrderSystem section, checked at start.
        builder.Services.AddOptions<OrderSystemOptions>().BindConfiguration(OrderSystemOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OrderSystemOptions>, OrderSystemOptionsValidator>();
        builder.Services.AddSingleton(timeProvider ?? TimeProvider.System);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, OrderSystemJson.Default));
        builder.Services.AddProblemDetails();

        // Orders and receipts, as files; events applied one payment at a time.
        builder.Services.AddSingleton<OrderFiles>();
        builder.Services.AddSingleton<OrderBook>();

        // The webhook's signatures, checked against any of the secrets.
        builder.Services.AddSingleton(services => new WebhookVerifier(
            [.. services.GetRequiredService<IOptions<OrderSystemOptions>>().Value.WebhookSecrets.Select(Key)],
            services.GetRequiredService<TimeProvider>()));

        // The events queue, consumed when a storage connection is set.
        var options = builder.Configuration.GetSection(OrderSystemOptions.Section).Get<OrderSystemOptions>() ?? new OrderSystemOptions();
        if (options.ConsumesQueue)
        {
            builder.Services.AddSingleton(services =>
            {
                var configured = services.GetRequiredService<IOptions<OrderSystemOptions>>().Value;
                return new QueueClient(configured.StorageConnection, configured.Queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
            });
            builder.Services.AddHostedService<EventQueueConsumer>();
        }

        var app = builder.Build();
        app.UseExceptionHandler();
        app.MapPayExWebhooks();
        app.MapOrders();
        return app;
    }

    private static byte[] Key(string secret) =>
        WebhookVerifier.TryDecodeSecret(secret, out var key) ? key : throw new InvalidOperationException("Unreachable: the secrets are validated at start.");
}
