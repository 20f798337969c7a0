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
        // Most callbacks name resources not stored yet (a new payment, a new transaction): inserting
        // them blind is one request. Only if one is there already (409) are the rows read and compared.
        if (await TryInsertAllAsync(partitionKey, resources, callbackId, cancellationToken))
        {
            return new WriteResult(resources.Select(r => r.RowKey).ToArray(), []);
        }

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
            catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
            {
                // Deleted since (a point read finds no row in a missing table, it does not fail).
                await _table.CreateIfNotExistsAsync(cancellationToken);
            }
        }

        throw new PaymentStateConflictException($"Rows of partition {partitionKey} kept changing during {MaxRounds} attempts to write them.");
    }

    private async Task<bool> TryInsertAllAsync(string partitionKey, IReadOnlyList<PayExResource> resources, string callbackId, CancellationToken cancellationToken)
    {
        var fetchedAt = time.GetUtcNow();
        var actions = resources.Select(r => new TableTransactionAction(TableTransactionActionType.Add, PaymentRow.From(partitionKey, r, fetchedAt, callbackId)));
        try
        {
            await _table.SubmitTransactionAsync(actions, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            await _table.CreateIfNotExistsAsync(cancellationToken);
            return false;
        }
    }

    // Point reads, one per row and all at once: the cheapest lookup Table Storage has (a query for
    // several row keys scans the partition; on Azurite, the whole table).
    private async Task<Dictionary<string, TableEntity>> ReadAsync(string partitionKey, IReadOnlyList<PayExResource> resources, CancellationToken cancellationToken)
    {
        var reads = resources.Select(r => _table.GetEntityIfExistsAsync<TableEntity>(partitionKey, r.RowKey, CompareColumns, cancellationToken)).ToArray();
        await Task.WhenAll(reads);
        return reads.Select(r => r.Result).Where(r => r.HasValue).ToDictionary(r => r.Value!.RowKey, r => r.Value!);
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
