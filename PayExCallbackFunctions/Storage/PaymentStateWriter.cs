using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Storage;

/// <summary>
/// Writes the resources one callback named into the payments table, in one entity group
/// transaction, keeping the newest state PayEx gave: a row is only replaced by a resource PayEx
/// updated later, and only if nobody wrote it since it was read (ETag), else it is read again.
/// </summary>
public sealed class PaymentStateWriter(TableServiceClient tables, IOptions<StorageOptions> options, TimeProvider time)
{
    /// <summary>Reads and conditional writes before giving up on a row that others keep changing.</summary>
    public const int MaxRounds = 10;

    private static readonly string[] CompareColumns = ["RowKey", "Updated"];

    private readonly TableClient _table = tables.GetTableClient(options.Value.PaymentsTable);

    public async Task<WriteResult> WriteAsync(Guid partition, IReadOnlyList<PayExResource> resources, string callbackId, CancellationToken cancellationToken)
    {
        var partitionKey = partition.ToString("D");
        using var activity = CallbackTracing.StartStore(partitionKey);
        try
        {
            var result = await WriteRoundsAsync(partitionKey, resources, callbackId, cancellationToken);
            activity?.SetTag(TelemetryTags.RowsWritten, result.Written.Count).SetTag(TelemetryTags.RowsKept, result.Kept.Count);
            return result;
        }
        catch (Exception e)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }

    private async Task<WriteResult> WriteRoundsAsync(string partitionKey, IReadOnlyList<PayExResource> resources, string callbackId, CancellationToken cancellationToken)
    {
        for (var round = 1; round <= MaxRounds; round++)
        {
            var stored = await ReadAsync(partitionKey, resources, cancellationToken);
            var fetchedAt = time.GetUtcNow();
            var actions = new List<TableTransactionAction>(resources.Count);
            var kept = new List<string>();
            foreach (var resource in resources)
            {
                var row = PaymentRow.From(partitionKey, resource, fetchedAt, callbackId);
                if (!stored.TryGetValue(resource.RowKey, out var current))
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, row));
                }
                else if (PaymentRow.IsNewer(resource, current))
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, current.ETag));
                }
                else
                {
                    kept.Add(resource.RowKey);
                }
            }

            if (actions.Count == 0)
            {
                return new WriteResult([], kept);
            }

            try
            {
                await _table.SubmitTransactionAsync(actions, cancellationToken);
                return new WriteResult(actions.Select(a => a.Entity.RowKey).ToArray(), kept);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Another callback wrote one of these rows since they were read: compare again.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * round)), time, cancellationToken);
            }
        }

        throw new PaymentStateConflictException($"Rows of partition {partitionKey} kept changing during {MaxRounds} attempts to write them.");
    }

    private async Task<Dictionary<string, TableEntity>> ReadAsync(string partitionKey, IReadOnlyList<PayExResource> resources, CancellationToken cancellationToken)
    {
        var rowKeys = string.Join(" or ", resources.Select(r => TableClient.CreateQueryFilter($"RowKey eq {r.RowKey}")));
        var filter = $"{TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}")} and ({rowKeys})";
        var rows = new Dictionary<string, TableEntity>();
        try
        {
            await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: CompareColumns, cancellationToken: cancellationToken))
            {
                rows[row.RowKey] = row;
            }
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            await _table.CreateIfMissingAsync(cancellationToken);
        }

        return rows;
    }
}

/// <summary>What a write did: rows written, and rows left alone because the stored state was as new or newer.</summary>
public sealed record WriteResult(IReadOnlyList<string> Written, IReadOnlyList<string> Kept);

/// <summary>Rows kept changing under a write; trying later will do.</summary>
public sealed class PaymentStateConflictException : Exception
{
    public PaymentStateConflictException() { }

    public PaymentStateConflictException(string message) : base(message) { }

    public PaymentStateConflictException(string message, Exception inner) : base(message, inner) { }
}
