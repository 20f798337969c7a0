using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// How many distinct callbacks were rejected for their content today (UTC), for the status page: the day's
/// tally in <c>Storage__RejectedCallbacksTable</c>, one point read, never a scan.
/// </summary>
public sealed class RejectedToday(RejectedCallbackTable table, IOptions<StorageOptions> options, IOptions<CallbackOptions> callbacks, TimeProvider time)
{
    public async Task<RejectedCount> ReadAsync(CancellationToken cancellationToken)
    {
        var day = RejectedCallbackTable.PartitionOf(time.GetUtcNow());
        return new RejectedCount(day, await table.CountAsync(day, cancellationToken), callbacks.Value.MaxRejectedPerDay, options.Value.RejectedCallbacksTable);
    }
}

/// <summary>The distinct rejections kept for <paramref name="Day"/> (each counts its own repeats), and the day's limit.</summary>
public sealed record RejectedCount(string Day, int Distinct, int MaxPerDay, string Table)
{
    /// <summary>New rejections that day are counted in the metrics only.</summary>
    public bool Full => Distinct >= MaxPerDay;
}
