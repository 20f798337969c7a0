using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Storage;

public static class StorageServices
{
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection(StorageOptions.Section))
            // The queue's name from the flat setting the triggers read, so that the app and the triggers use one queue.
            .Configure(options => options.CallbackQueue = configuration[StorageOptions.CallbackQueueSetting] is { Length: > 0 } queue ? queue : options.CallbackQueue)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddOptions<StorageConnection>()
            .Configure(connection => StorageConnection.Bind(configuration, connection))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageConnection>, StorageConnectionValidator>();

        // Few, quick retries: the acknowledge path must answer 503 fast rather than keep PayEx waiting.
        var retry = new Action<RetryOptions>(r =>
        {
            r.MaxRetries = 2;
            r.Delay = TimeSpan.FromMilliseconds(100);
            r.MaxDelay = TimeSpan.FromSeconds(1);
            r.NetworkTimeout = TimeSpan.FromSeconds(10);
        });
        services.AddSingleton(sp =>
        {
            // Messages are encoded and decoded by the app itself (see QueueMessageText).
            var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
            retry(options.Retry);
            return sp.GetRequiredService<IOptions<StorageConnection>>().Value.CreateQueueServiceClient(options);
        });
        services.AddSingleton(sp =>
        {
            var options = new TableClientOptions();
            retry(options.Retry);
            return sp.GetRequiredService<IOptions<StorageConnection>>().Value.CreateTableServiceClient(options);
        });

        services.AddSingleton<CallbackQueue>();
        services.AddSingleton<Payments.PaymentWriter>();
        services.AddSingleton<Payments.ReferenceIndex>();
        services.AddSingleton<Payments.RecentPayments>();
        services.AddSingleton<Payments.ScheduledChecks>();
        services.AddSingleton<Payments.EndedTracking>();
        services.AddSingleton<Events.PendingEvents>();
        services.AddHostedService<Payments.RecentPaymentsFlush>();
        services.AddHostedService<StorageSetup>();
        return services;
    }
}
