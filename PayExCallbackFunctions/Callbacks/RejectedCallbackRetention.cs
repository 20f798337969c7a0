using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Callbacks;

/// <summary>
/// Removes rejected callbacks older than <see cref="CallbackOptions.RejectedRetentionDays"/>, at start
/// and then daily, so that a caller with a valid key cannot grow the table without end.
/// Several instances may do it at once: deleting what is gone is harmless.
/// </summary>
public sealed partial class RejectedCallbackRetention(
    TableServiceClient tables,
    IOptions<StorageOptions> storage,
    IOptions<CallbackOptions> options,
    TimeProvider time,
    ILogger<RejectedCallbackRetention> logger) : BackgroundService
{
    private const int BatchSize = 100; // the most one entity group transaction takes

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var daily = new PeriodicTimer(TimeSpan.FromDays(1), time);
        do
        {
            try
            {
                var removed = await RemoveExpiredAsync(stoppingToken);
                if (removed > 0)
                {
                    LogRemoved(logger, removed, options.Value.RejectedRetentionDays);
                }
            }
            // Storage down, credentials failing: housekeeping must never stop the app.
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e);
            }
        }
        while (await daily.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Deletes the rows of days before the retention period; returns how many.</summary>
    public async Task<int> RemoveExpiredAsync(CancellationToken cancellationToken)
    {
        var table = tables.GetTableClient(storage.Value.RejectedCallbacksTable);
        var cutoff = RejectedCallbackTable.PartitionOf(time.GetUtcNow().AddDays(-options.Value.RejectedRetentionDays));
        var removed = 0;
        var batch = new List<TableTransactionAction>(BatchSize);
        try
        {
            await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey lt {cutoff}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                if (batch.Count == BatchSize || (batch.Count > 0 && batch[0].Entity.PartitionKey != row.PartitionKey))
                {
                    removed += await DeleteAsync(table, batch, cancellationToken);
                }

                batch.Add(new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All));
            }

            return removed + await DeleteAsync(table, batch, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return removed; // no table yet
        }
    }

    private static async Task<int> DeleteAsync(TableClient table, List<TableTransactionAction> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        await table.SubmitTransactionAsync(batch, cancellationToken);
        var count = batch.Count(action => action.Entity.RowKey != RejectedCallbackTable.TallyKey);
        batch.Clear();
        return count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} rejected callbacks older than {Days} days")]
    private static partial void LogRemoved(ILogger logger, int count, int days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove old rejected callbacks; trying again tomorrow")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
