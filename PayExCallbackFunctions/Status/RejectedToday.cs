using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// How many distinct callbacks were rejected for their content today (UTC), for the status page: one
/// point read of the day's tally row in <c>Storage__RejectedCallbacksTable</c>, never a scan.
/// </summary>
public sealed class RejectedToday(TableServiceClient tables, IOptions<StorageOptions> options, IOptions<CallbackOptions> callbacks, TimeProvider time)
{
    private readonly TableClient _table = tables.GetTableClient(options.Value.RejectedCallbacksTable);

    public async Task<RejectedCount> ReadAsync(CancellationToken cancellationToken)
    {
        var day = RejectedCallbackTable.PartitionOf(time.GetUtcNow());
        var rows = 0;
        try
        {
            var tally = await _table.GetEntityIfExistsAsync<TableEntity>(day, RejectedCallbackTable.TallyKey, ["Rows"], cancellationToken);
            rows = tally.HasValue ? tally.Value!.GetInt32("Rows") ?? 0 : 0;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No table yet: nothing was rejected.
        }

        return new RejectedCount(day, rows, callbacks.Value.MaxRejectedPerDay, options.Value.RejectedCallbacksTable);
    }
}

/// <summary>The distinct rejections kept for <paramref name="Day"/> (each counts its own repeats), and the day's limit.</summary>
public sealed record RejectedCount(string Day, int Distinct, int MaxPerDay, string Table)
{
    /// <summary>New rejections that day are counted in the metrics only.</summary>
    public bool Full => Distinct >= MaxPerDay;
}
