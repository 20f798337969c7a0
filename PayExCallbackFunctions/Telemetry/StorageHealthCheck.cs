using Azure;
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
            await AnswersAsync(queues.GetQueueClient(options.Value.CallbackQueue).GetPropertiesAsync(cancellationToken));
            await AnswersAsync(FirstPageAsync(tables.GetTableClient(options.Value.PaymentsTable), cancellationToken));
            return HealthCheckResult.Healthy("The callback queue and the payments table answer.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The exception's type only: storage messages can carry the account's URL and request ids, not secrets, but keep it short.
            return HealthCheckResult.Unhealthy($"Storage does not answer: {e.GetType().Name}.");
        }
    }

    // Not found is an answer: the app creates a missing queue or table when it first needs it, so
    // readiness must not wait for traffic that only comes once it is ready.
    private static async Task AnswersAsync(Task call)
    {
        try
        {
            await call;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    private static async Task FirstPageAsync(TableClient table, CancellationToken cancellationToken)
    {
        await foreach (var _ in table.QueryAsync<TableEntity>(maxPerPage: 1, select: KeyOnly, cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
        {
            return;
        }
    }
}
