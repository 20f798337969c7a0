using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// The events a sink never took (its retries ran out, or it answered 410): the dead letters of events, one row per event
/// and sink in the checks table's partition <see cref="Partition"/>, for the operator to see, replay or discard. The event
/// row stays in its payment's partition; this is the index that finds it.
/// </summary>
public sealed class UndeliveredEvents(TableServiceClient tables, IOptions<StorageOptions> options)
{
    public const string Partition = "undelivered";

    private static readonly string Filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");

    private readonly TableClient _table = tables.GetTableClient(options.Value.PaymentChecksTable);

    /// <summary>The undelivered event's id for the admin API: the sink's key and the event's id.</summary>
    public static string Id(string sink, Guid payment, long version) => $"{sink}.{PaymentEvent.Id(payment, version)}";

    public async Task AddAsync(UndeliveredEvent undelivered, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(undelivered);
        await _table.UpsertCreatingAsync(new TableEntity(Partition, undelivered.Id)
        {
            ["Sink"] = undelivered.Sink,
            ["Payment"] = undelivered.Payment.ToString("D"),
            ["Version"] = undelivered.Version,
            ["Type"] = undelivered.Type,
            ["Attempts"] = undelivered.Attempts,
            ["Error"] = undelivered.Error,
            ["RecordedAt"] = undelivered.RecordedAt,
            ["UndeliveredAt"] = undelivered.UndeliveredAt,
        }, cancellationToken);
    }

    /// <summary>Oldest first by sink and id, at most <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<UndeliveredEvent>> ListAsync(int max, CancellationToken cancellationToken)
    {
        var list = new List<UndeliveredEvent>();
        try
        {
            await foreach (var row in _table.QueryAsync<TableEntity>(Filter, 1000, cancellationToken: cancellationToken))
            {
                list.Add(From(row));
                if (list.Count >= max)
                {
                    break;
                }
            }
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            // Nothing undelivered yet.
        }

        return list;
    }

    public async Task<UndeliveredEvent?> FindAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: cancellationToken);
            return row.HasValue ? From(row.Value!) : null;
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            return null;
        }
    }

    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await _table.DeleteEntityAsync(Partition, id, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Removed already.
        }
    }

    private static UndeliveredEvent From(TableEntity row) => new(
        row.GetString("Sink") ?? "",
        Guid.TryParse(row.GetString("Payment"), out var payment) ? payment : Guid.Empty,
        row.GetInt64("Version") ?? 0,
        row.GetString("Type") ?? "",
        row.GetInt32("Attempts") ?? 0,
        row.GetString("Error") ?? "",
        row.GetDateTimeOffset("RecordedAt") ?? DateTimeOffset.MinValue,
        row.GetDateTimeOffset("UndeliveredAt") ?? DateTimeOffset.MinValue);
}

/// <summary>An event a sink never took, and why.</summary>
public sealed record UndeliveredEvent(string Sink, Guid Payment, long Version, string Type, int Attempts, string Error, DateTimeOffset RecordedAt, DateTimeOffset UndeliveredAt)
{
    public string Id => UndeliveredEvents.Id(Sink, Payment, Version);

    public string EventId => PaymentEvent.Id(Payment, Version);
}
