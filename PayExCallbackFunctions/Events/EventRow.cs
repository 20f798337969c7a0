using System.Globalization;
using Azure.Data.Tables;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// A change's event as recorded in the payment's partition, in the same transaction as the status row that made it
/// (the outbox): row key <c>event-</c> and the version, zero-padded, so that a partition's events read in order.
/// </summary>
public static class EventRow
{
    public const string Prefix = "event-";

    /// <summary>The first row key after every event's ('.' follows '-').</summary>
    public const string After = "event.";

    public const string DocumentColumn = "Event";

    /// <summary>True until the queue sink took the event.</summary>
    public const string PendingColumn = "PendingQueue";

    public static string RowKey(long version) => Prefix + version.ToString("D19", CultureInfo.InvariantCulture);

    public static TableEntity For(string partitionKey, long version, string type, string document, DateTimeOffset recordedAt) => new(partitionKey, RowKey(version))
    {
        ["Version"] = version,
        ["Type"] = type,
        [DocumentColumn] = document,
        [PendingColumn] = true,
        ["RecordedAt"] = recordedAt,
    };
}
