using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Storage;

/// <summary>
/// Creates the queues and the tables at start. It does not hold start-up up: storage may be down
/// now and back later, and every writer also creates what it finds missing.
/// </summary>
public sealed partial class StorageSetup(
    QueueServiceClient queues,
    TableServiceClient tables,
    IOptions<StorageOptions> options,
    ILogger<StorageSetup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var names = options.Value;
        try
        {
            await queues.GetQueueClient(names.CallbackQueue).CreateIfNotExistsAsync(cancellationToken: stoppingToken);
            await queues.GetQueueClient(names.PoisonQueue).CreateIfNotExistsAsync(cancellationToken: stoppingToken);
            await tables.GetTableClient(names.PaymentsTable).CreateIfNotExistsAsync(stoppingToken);
            await tables.GetTableClient(names.DeadLettersTable).CreateIfNotExistsAsync(stoppingToken);
            await tables.GetTableClient(names.RejectedCallbacksTable).CreateIfNotExistsAsync(stoppingToken);
            await tables.GetTableClient(names.PaymentReferencesTable).CreateIfNotExistsAsync(stoppingToken);
            await tables.GetTableClient(names.PaymentChecksTable).CreateIfNotExistsAsync(stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            LogSetupFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not create the queues and tables at start; they are created when first used")]
    private static partial void LogSetupFailed(ILogger logger, Exception exception);
}
