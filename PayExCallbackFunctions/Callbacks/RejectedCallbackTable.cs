using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Callbacks;

/// <summary>
/// <c>Storage__RejectedCallbacksTable</c>: one partition per UTC day (<c>yyyy-MM-dd</c>), one row per
/// distinct rejection (status, reason and body) that day, counting its repeats, and at most
/// <see cref="CallbackOptions.MaxRejectedPerDay"/> of them, tallied in the partition's
/// <see cref="TallyKey"/> row, so that a caller holding a key cannot make the app store without bound.
/// Recording is best effort: it never changes the answer the caller gets.
/// </summary>
public sealed partial class RejectedCallbackTable(
    TableServiceClient tables,
    IOptions<StorageOptions> options,
    IOptions<CallbackOptions> callbacks,
    RejectedCallbackRepeats repeats,
    ILogger<RejectedCallbackTable> logger)
{
    /// <summary>The row of a day's partition that counts its rows; sorts after every content key.</summary>
    public const string TallyKey = "~tally";

    private const string TallyRows = "Rows";

    private const int MaxTextLength = 1024;

    private readonly TableClient _table = tables.GetTableClient(options.Value.RejectedCallbacksTable);

    private string? _fullDay;

    public async Task RecordAsync(RejectedCallback rejected, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.AnswerTimeout);
        try
        {
            try
            {
                await StoreAsync(rejected, timeout.Token);
            }
            catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
            {
                await _table.CreateIfNotExistsAsync(timeout.Token);
                await StoreAsync(rejected, timeout.Token);
            }
        }
        // Whatever goes wrong here, the caller gets the answer its callback deserves.
        catch (Exception e)
        {
            LogNotRecorded(logger, e, rejected.Id);
        }
    }

    /// <summary>The distinct rejections kept for <paramref name="day"/> (a partition key), as its tally counts them: one point read.</summary>
    public async Task<int> CountAsync(string day, CancellationToken cancellationToken)
    {
        try
        {
            return (await FindAsync(day, TallyKey, [TallyRows], cancellationToken))?.GetInt32(TallyRows) ?? 0;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No table yet: nothing was rejected.
            return 0;
        }
    }

    public static string PartitionOf(DateTimeOffset receivedAt) => receivedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The row key of a rejection: a hash of what makes it the same rejection again.</summary>
    public static string ContentKey(RejectedCallback rejected)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{rejected.Status}\n{rejected.Reason}\n{rejected.ContentType}\n{rejected.BodyLength}\n")));
        hash.AppendData(rejected.Body.Span);
        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16));
    }

    private async Task StoreAsync(RejectedCallback rejected, CancellationToken cancellationToken)
    {
        var entity = ToEntity(rejected);
        var key = $"{entity.PartitionKey}/{entity.RowKey}";
        if (repeats.Join(key, rejected))
        {
            return;
        }

        var own = 1;
        try
        {
            while (true)
            {
                var waiting = repeats.Take(key);
                var count = own + waiting.Count;
                if (count == 0)
                {
                    if (repeats.TryEnd(key))
                    {
                        return;
                    }

                    continue;
                }

                if (!await AddOrCountAsync(entity, count, waiting.Latest, cancellationToken))
                {
                    repeats.Abandon(key);
                    return;
                }

                own = 0;
            }
        }
        catch (Exception)
        {
            if (repeats.Abandon(key) is var uncounted and > 0)
            {
                LogRepeatsNotCounted(logger, uncounted, entity.RowKey);
            }

            throw;
        }
    }

    /// <summary>Adds the row, or counts <paramref name="count"/> more on it; false if the day holds no more rows.</summary>
    private async Task<bool> AddOrCountAsync(TableEntity entity, int count, RejectedCallback latest, CancellationToken cancellationToken)
    {
        // Another instance writing the same row or tally: read again and retry, until the answer timeout.
        while (true)
        {
            var stored = await FindAsync(entity.PartitionKey, entity.RowKey, ["Count"], cancellationToken);
            if (stored is not null)
            {
                var repeat = new TableEntity(entity.PartitionKey, entity.RowKey)
                {
                    ["Count"] = (stored.GetInt32("Count") ?? 1) + count,
                    ["LastReceivedAt"] = latest.ReceivedAt,
                    ["LastCallbackId"] = latest.Id,
                    ["LastClientAddress"] = latest.ClientAddress,
                };
                try
                {
                    await _table.UpdateEntityAsync(repeat, stored.ETag, TableUpdateMode.Merge, cancellationToken);
                    return true;
                }
                catch (RequestFailedException e) when (e.Status is 404 or 412)
                {
                    continue;
                }
            }

            var tally = await FindAsync(entity.PartitionKey, TallyKey, null, cancellationToken);
            var rows = tally?.GetInt32(TallyRows) ?? 0;
            if (rows >= callbacks.Value.MaxRejectedPerDay)
            {
                if (Interlocked.Exchange(ref _fullDay, entity.PartitionKey) != entity.PartitionKey)
                {
                    LogDayFull(logger, entity.PartitionKey, callbacks.Value.MaxRejectedPerDay);
                }

                LogNotRecordedDayFull(logger, entity.GetString("CallbackId"), count);
                return false;
            }

            entity["Count"] = count;
            entity["LastReceivedAt"] = latest.ReceivedAt;
            entity["LastCallbackId"] = latest.Id;
            entity["LastClientAddress"] = latest.ClientAddress;
            var next = new TableEntity(entity.PartitionKey, TallyKey) { [TallyRows] = rows + 1 };
            TableTransactionAction[] actions =
            [
                new(TableTransactionActionType.Add, entity),
                tally is null ? new(TableTransactionActionType.Add, next) : new(TableTransactionActionType.UpdateReplace, next, tally.ETag),
            ];
            try
            {
                await _table.SubmitTransactionAsync(actions, cancellationToken);
                return true;
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
            {
            }
        }
    }

    private async Task<TableEntity?> FindAsync(string partitionKey, string rowKey, string[]? select, CancellationToken cancellationToken)
    {
        var found = await _table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, select, cancellationToken);
        return found.HasValue ? found.Value : null;
    }

    private static TableEntity ToEntity(RejectedCallback rejected)
    {
        var entity = new TableEntity(PartitionOf(rejected.ReceivedAt), ContentKey(rejected))
        {
            ["CallbackId"] = rejected.Id,
            ["ReceivedAt"] = rejected.ReceivedAt,
            ["Count"] = 1,
            ["LastReceivedAt"] = rejected.ReceivedAt,
            ["LastCallbackId"] = rejected.Id,
            ["Status"] = rejected.Status,
            ["Reason"] = Truncate(rejected.Reason),
            ["Errors"] = rejected.Errors is null ? null : Truncate(JsonSerializer.Serialize(rejected.Errors, AppJson.Context.IReadOnlyDictionaryStringStringArray), 16 * 1024),
            ["ClientAddress"] = rejected.ClientAddress,
            ["LastClientAddress"] = rejected.ClientAddress,
            ["ContentType"] = rejected.ContentType is null ? null : Truncate(rejected.ContentType),
            ["BodyLength"] = rejected.BodyLength,
        };

        var body = rejected.Body.Span;
        var kept = body.Length > RejectedCallback.MaxBodyBytes ? body[..RejectedCallback.MaxBodyBytes] : body;
        entity["BodyTruncated"] = rejected.BodyLength > kept.Length;

        // Text where it is text (but for a multi-byte character cut off at the end), else the bytes.
        var text = Utf8.IsValid(kept) ? kept : kept.Length < body.Length ? kept[..LastCompleteCharacter(kept)] : default;
        if (!text.IsEmpty && Utf8.IsValid(text))
        {
            entity["Body"] = Encoding.UTF8.GetString(text);
        }
        else if (!kept.IsEmpty)
        {
            entity["BodyBase64"] = Convert.ToBase64String(kept);
        }

        return entity;
    }

    private static int LastCompleteCharacter(ReadOnlySpan<byte> utf8)
    {
        var end = utf8.Length;
        // Back over up to 3 continuation bytes and the lead byte they belong to.
        for (var i = 1; i <= 4 && end - i >= 0; i++)
        {
            if ((utf8[end - i] & 0xC0) != 0x80)
            {
                return end - i;
            }
        }

        return end;
    }

    private static string Truncate(string value, int max = MaxTextLength) => value.Length <= max ? value : value[..max];

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record rejected callback {CallbackId} in the rejected-callbacks table")]
    private static partial void LogNotRecorded(ILogger logger, Exception exception, string callbackId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The rejected-callbacks table holds {MaxRejectedPerDay} distinct rejections for {Day}: further new ones that day are counted in metrics only; repeats are still counted in their rows")]
    private static partial void LogDayFull(ILogger logger, string day, int maxRejectedPerDay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} repeats of rejected-callbacks row {RowKey} are not counted: storage did not take them in time")]
    private static partial void LogRepeatsNotCounted(ILogger logger, int count, string rowKey);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rejected callback {CallbackId} (received {Count} times) is not recorded: the day's rows are all taken")]
    private static partial void LogNotRecordedDayFull(ILogger logger, string? callbackId, int count);
}
