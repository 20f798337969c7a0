using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Telemetry;

/// <summary>
/// Ready when the callback queue and the payments table answer, with calls the app's own data roles
/// allow (no account-level permission is needed).
/// </summary>
public sealed class StorageHealthCheck(QueueServiceClient queues, TableServiceClient tables, IOptions<StorageOptions> options) : IHealthCheck
{
    private static readonly string[] KeyOnly = ["PartitionKey"];

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await queues.GetQueueClient(options.Value.CallbackQueue).GetPropertiesAsync(cancellationToken);
            await foreach (var _ in tables.GetTableClient(options.Value.PaymentsTable).QueryAsync<TableEntity>(maxPerPage: 1, select: KeyOnly, cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
            {
                break;
            }

            return HealthCheckResult.Healthy("The callback queue and the payments table answer.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The exception's type only: storage messages can carry the account's URL and request ids, not secrets, but keep it short.
            return HealthCheckResult.Unhealthy($"Storage does not answer: {e.GetType().Name}.");
        }
    }
}
