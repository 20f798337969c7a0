using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PayExCallbackFunctions.Events;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Tests.Infrastructure;
using PayExCallbackFunctions.Tests.Payments;

namespace PayExCallbackFunctions.Tests.Events;

/// <summary>
/// The app's events services as the app registers them (AddEvents: options and their validation, the webhook client with
/// its SSRF guard and circuit breaker), on a test's own storage with the clock in the test's hand.
/// </summary>
internal sealed class EventParts : IDisposable
{
    private readonly ServiceProvider _services;

    private EventParts(ServiceProvider services, TestStorage storage)
    {
        _services = services;
        Storage = storage;
    }

    public TestStorage Storage { get; }

    public FakeTimeProvider Time => (FakeTimeProvider)_services.GetRequiredService<TimeProvider>();

    public EventDelivery Delivery => _services.GetRequiredService<EventDelivery>();

    public EventRelay Relay => _services.GetRequiredService<EventRelay>();

    public EventDispatch Dispatch => _services.GetRequiredService<EventDispatch>();

    public PendingEvents Pending => _services.GetRequiredService<PendingEvents>();

    public EventSinks Sinks => _services.GetRequiredService<EventSinks>();

    public UndeliveredEventAdmin Admin => _services.GetRequiredService<UndeliveredEventAdmin>();

    public UndeliveredEvents Undelivered => _services.GetRequiredService<UndeliveredEvents>();

    /// <summary>A writer that records events pending for these sinks (another instance's, as far as caches go).</summary>
    public PaymentWriter Writer() => PaymentWriterTests.Writer(Storage, sinks: Sinks);

    /// <summary>
    /// The parts with <paramref name="settings"/> (section Events, e.g. <c>Webhooks:0:Url</c>) on top of the test storage's
    /// queue; private networks allowed (the receivers are on loopback) unless the settings say otherwise;
    /// <paramref name="tables"/> in the table client's pipeline, if given.
    /// </summary>
    public static EventParts Create(TestStorage storage, Dictionary<string, string?>? settings = null, string environment = "Development", Azure.Core.Pipeline.HttpPipelinePolicy? tables = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Events:Queue"] = storage.EventsQueueName,
            ["Events:AllowPrivateNetworks"] = "true",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = environment });
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var tableOptions = new TableClientOptions();
        if (tables is not null)
        {
            tableOptions.AddPolicy(tables, Azure.Core.HttpPipelinePosition.PerRetry);
        }

        services.AddSingleton(new TableServiceClient(storage.Azurite.ConnectionString, tableOptions));
        services.AddSingleton(new QueueServiceClient(storage.Azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None }));
        services.AddSingleton(Options.Create(new StorageOptions { PaymentsTable = storage.TableName, PaymentReferencesTable = storage.ReferencesTableName, PaymentChecksTable = storage.ChecksTableName }));
        services.AddSingleton(TestMetrics.Create());
        services.AddSingleton<PendingEvents>();
        services.AddEvents(configuration);
        return new EventParts(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }), storage);
    }

    /// <summary>The options as validated at start: the failures, or none.</summary>
    public IReadOnlyList<string> Validate()
    {
        try
        {
            _ = _services.GetRequiredService<IOptions<EventsOptions>>().Value;
            return [];
        }
        catch (OptionsValidationException e)
        {
            return e.Failures.ToList();
        }
    }

    /// <summary>The sinks a writer needs without any delivery: the queue alone.</summary>
    public static EventSinks QueueOnly(TestStorage storage) =>
        new([new QueueSink(new QueueServiceClient(storage.Azurite.ConnectionString), Options.Create(new EventsOptions { Queue = storage.EventsQueueName }))]);

    public void Dispose() => _services.Dispose();
}
