using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Caching.Memory;

namespace PayExCallbackFunctions.Payments;

/// <summary>
/// The status rows this instance wrote (or read for a write to come) last, with their ETags: a guess at what is
/// stored, which spares a payment's next answer the status read (a second callback, a check). Every write of a
/// partition is guarded by the status row's ETag, so a guess gone stale (another instance wrote since) costs one
/// failed transaction and a read, never a wrong write. Bounded: the least recently used go first.
/// </summary>
internal sealed class KnownStatuses : IDisposable
{
    /// <summary>About a kilobyte each: ten megabytes at most.</summary>
    private const int Capacity = 10_000;

    /// <summary>A payment's next answer is likely within minutes to days; an hour keeps the busy ones without hoarding.</summary>
    private static readonly TimeSpan Kept = TimeSpan.FromHours(1);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Capacity, CompactionPercentage = 0.2 });

    public TableEntity? Find(string partitionKey) => _cache.TryGetValue(partitionKey, out TableEntity? status) ? status : null;

    /// <summary>Remembers <paramref name="status"/> (not changed after) as stored with <paramref name="etag"/>; an answer without one is forgotten.</summary>
    public void Remember(TableEntity status, ETag etag)
    {
        if (etag == default)
        {
            Forget(status.PartitionKey);
            return;
        }

        var copy = new TableEntity(status) { ETag = etag };
        _cache.Set(status.PartitionKey, copy, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = Kept });
    }

    public void Forget(string partitionKey) => _cache.Remove(partitionKey);

    public void Dispose() => _cache.Dispose();
}
