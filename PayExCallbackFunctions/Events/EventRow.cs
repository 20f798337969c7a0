using System.Globalization;
using Azure.Data.Tables;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// A change's event as recorded in the payment's partition, in the same transaction as the status row that made it
/// (the outbox): row key <c>event-</c> and the version, zero-padded, so that a partition's events read in order. Per sink
/// (its key, e.g. <c>Queue</c>, <c>Webhook0</c>) the row says whether it is pending there, its failed attempts, when
/// the next is due, the last error, and when it was delivered or given up.
/// </summary>
public static class EventRow
{
    public const string Prefix = "event-";

    /// <summary>The first row key after every event's ('.' follows '-').</summary>
    public const string After = "event.";

    public const string DocumentColumn = "Event";

    public static string RowKey(long version) => Prefix + version.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>True until the sink took the event (or it was given up).</summary>
    public static string Pending(string sink) => "Pending" + sink;

    public static string Attempts(string sink) => "Attempts" + sink;

    public static string RetryAt(string sink) => "RetryAt" + sink;

    public static string Error(string sink) => "Error" + sink;

    public static string DeliveredAt(string sink) => "DeliveredAt" + sink;

    public static string UndeliveredAt(string sink) => "UndeliveredAt" + sink;

    public static TableEntity For(string partitionKey, long version, string type, string document, DateTimeOffset recordedAt, IEnumerable<string> sinks)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        var row = new TableEntity(partitionKey, RowKey(version))
        {
            ["Version"] = version,
            ["Type"] = type,
            [DocumentColumn] = document,
            ["RecordedAt"] = recordedAt,
        };
        foreach (var sink in sinks)
        {
            row[Pending(sink)] = true;
        }

        return row;
    }
}
