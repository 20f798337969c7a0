using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.Retry;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.DeadLetters;

/// <summary>The dead letters, one row each in one partition of <c>Storage__DeadLettersTable</c>.</summary>
public sealed class DeadLetterTable(TableServiceClient tables, IOptions<StorageOptions> options, CallbackMetrics metrics)
{
    public const string PartitionKey = "callback";

    private const string ReplayClaimedAt = "ReplayClaimedAt";

    private static readonly string[] SummaryColumns =
        ["RowKey", "Origin", "Reason", "Attempts", "FirstFailedAt", "DeadLetteredAt", "ReceivedAt", "Shape", "PaymentOrder", "Payment", "Transaction",
         "PaymentNumber", "TransactionNumber", "PaymentOrderNumber", "ReplayCount", "LastReplayedAt", ReplayClaimedAt, "Errors"];

    private readonly TableClient _table = tables.GetTableClient(options.Value.DeadLettersTable);

    public async Task AddAsync(DeadLetter deadLetter, CancellationToken cancellationToken)
    {
        var entity = ToEntity(deadLetter);
        try
        {
            await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            await _table.CreateIfNotExistsAsync(cancellationToken);
            await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
        }

        metrics.DeadLettered(deadLetter.Origin);
    }

    /// <summary>One dead letter with its message, and the ETag to delete it by; null if there is none.</summary>
    public async Task<(DeadLetter DeadLetter, ETag ETag)?> GetAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _table.GetEntityIfExistsAsync<TableEntity>(PartitionKey, id, cancellationToken: cancellationToken);
            return response.HasValue ? (FromEntity(response.Value!, withMessage: true), response.Value!.ETag) : null;
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            return null;
        }
    }

    public async Task<(IReadOnlyList<DeadLetter> Items, string? Continuation)> ListAsync(int top, string? continuation, CancellationToken cancellationToken)
    {
        try
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey}");
            await foreach (var page in _table.QueryAsync<TableEntity>(filter, top, SummaryColumns, cancellationToken).AsPages(continuation, top))
            {
                return (page.Values.Select(e => FromEntity(e, withMessage: false)).ToArray(), page.ContinuationToken);
            }
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
        }

        return ([], null);
    }

    /// <summary>
    /// Marks a dead letter as being replayed, conditioned on its ETag, so that of concurrent replays one wins. A claim
    /// older than <paramref name="hold"/> is a replay that died part-way, and is taken over. Null if there is no such dead letter.
    /// </summary>
    /// <exception cref="DeadLetterReplayInProgressException">Another replay holds it, or changed it since it was read.</exception>
    public async Task<ReplayClaim?> ClaimForReplayAsync(string id, DateTimeOffset now, TimeSpan hold, CancellationToken cancellationToken)
    {
        TableEntity entity;
        try
        {
            var response = await _table.GetEntityIfExistsAsync<TableEntity>(PartitionKey, id, cancellationToken: cancellationToken);
            if (!response.HasValue)
            {
                return null;
            }

            entity = response.Value!;
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            return null;
        }

        if (entity.GetDateTimeOffset(ReplayClaimedAt) is { } claimedAt && now - claimedAt < hold)
        {
            throw new DeadLetterReplayInProgressException(
                $"Dead letter {id} is being replayed (since {claimedAt:u}); if that replay failed, it can be replayed again after {claimedAt + hold:u}.");
        }

        try
        {
            var claimed = await _table.UpdateEntityAsync(
                new TableEntity(PartitionKey, id) { [ReplayClaimedAt] = now }, entity.ETag, TableUpdateMode.Merge, cancellationToken);
            return new ReplayClaim(FromEntity(entity, withMessage: true), claimed.Headers.ETag ?? ETag.All, Unclaimed(entity));
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            throw new DeadLetterReplayInProgressException($"Dead letter {id} changed while it was being claimed for replay: another replay took it.", e);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Puts a claimed dead letter back as it was, for a later replay; leaves it alone if it changed since.</summary>
    public async Task ReleaseAsync(ReplayClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        try
        {
            await _table.UpdateEntityAsync(claim.Unclaimed, claim.ETag, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
        }
    }

    /// <summary>Removes a dead letter if it is still as it was read; false if it changed or went since.</summary>
    public async Task<bool> DeleteAsync(string id, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            await _table.DeleteEntityAsync(PartitionKey, id, etag, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }

    private static TableEntity Unclaimed(TableEntity entity)
    {
        var unclaimed = new TableEntity(entity);
        unclaimed.Remove(ReplayClaimedAt);
        unclaimed.Remove("odata.etag");
        return unclaimed;
    }

    private static TableEntity ToEntity(DeadLetter deadLetter)
    {
        var entity = new TableEntity(PartitionKey, deadLetter.Id)
        {
            ["Origin"] = deadLetter.Origin.ToString(),
            ["Reason"] = deadLetter.Reason,
            ["Attempts"] = deadLetter.Attempts,
            ["FirstFailedAt"] = deadLetter.FirstFailedAt,
            ["DeadLetteredAt"] = deadLetter.DeadLetteredAt,
            ["ReceivedAt"] = deadLetter.ReceivedAt,
            ["Shape"] = deadLetter.Shape?.ToString(),
            ["PaymentOrder"] = deadLetter.PaymentOrder,
            ["Payment"] = deadLetter.Payment,
            ["Transaction"] = deadLetter.Transaction,
            ["PaymentNumber"] = deadLetter.PaymentNumber,
            ["TransactionNumber"] = deadLetter.TransactionNumber,
            ["PaymentOrderNumber"] = deadLetter.PaymentOrderNumber,
            ["ReplayCount"] = deadLetter.ReplayCount,
            ["LastReplayedAt"] = deadLetter.LastReplayedAt,
            ["Errors"] = JsonSerializer.Serialize(deadLetter.Errors, AppJson.Context.IReadOnlyListRetryError),
        };
        ChunkedColumns.Write(entity, "Message", deadLetter.Message ?? "");
        return entity;
    }

    private static DeadLetter FromEntity(TableEntity entity, bool withMessage) => new()
    {
        Id = entity.RowKey,
        Origin = Enum.TryParse<DeadLetterOrigin>(entity.GetString("Origin"), out var origin) ? origin : DeadLetterOrigin.Permanent,
        Reason = entity.GetString("Reason") ?? "",
        Attempts = entity.GetInt32("Attempts") ?? 0,
        FirstFailedAt = entity.GetDateTimeOffset("FirstFailedAt"),
        DeadLetteredAt = entity.GetDateTimeOffset("DeadLetteredAt") ?? DateTimeOffset.MinValue,
        ReceivedAt = entity.GetDateTimeOffset("ReceivedAt"),
        Shape = Enum.TryParse<CallbackShape>(entity.GetString("Shape"), out var shape) ? shape : null,
        PaymentOrder = entity.GetString("PaymentOrder"),
        Payment = entity.GetString("Payment"),
        Transaction = entity.GetString("Transaction"),
        PaymentNumber = entity.GetInt64("PaymentNumber"),
        TransactionNumber = entity.GetInt64("TransactionNumber"),
        PaymentOrderNumber = entity.GetInt64("PaymentOrderNumber"),
        ReplayCount = entity.GetInt32("ReplayCount") ?? 0,
        LastReplayedAt = entity.GetDateTimeOffset("LastReplayedAt"),
        ReplayClaimedAt = entity.GetDateTimeOffset(ReplayClaimedAt),
        Errors = entity.GetString("Errors") is { } errors ? JsonSerializer.Deserialize(errors, AppJson.Context.IReadOnlyListRetryError) ?? [] : [],
        Message = withMessage ? ChunkedColumns.Read(entity, "Message") : null,
    };
}
