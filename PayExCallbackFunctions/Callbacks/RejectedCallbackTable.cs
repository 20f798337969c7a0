using System.Globalization;
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
/// <c>Storage__RejectedCallbacksTable</c>: one partition per UTC day (<c>yyyy-MM-dd</c>), newest
/// first within it. Recording is best effort: it never changes the answer the caller gets.
/// </summary>
public sealed partial class RejectedCallbackTable(TableServiceClient tables, IOptions<StorageOptions> options, ILogger<RejectedCallbackTable> logger)
{
    private const int MaxTextLength = 1024;

    private readonly TableClient _table = tables.GetTableClient(options.Value.RejectedCallbacksTable);

    public async Task RecordAsync(RejectedCallback rejected, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.AnswerTimeout);
        var entity = ToEntity(rejected);
        try
        {
            try
            {
                await _table.AddEntityAsync(entity, timeout.Token);
            }
            catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
            {
                await _table.CreateIfNotExistsAsync(timeout.Token);
                await _table.AddEntityAsync(entity, timeout.Token);
            }
        }
        catch (Exception e) when (e is RequestFailedException or OperationCanceledException or AggregateException)
        {
            LogNotRecorded(logger, e, rejected.Id);
        }
    }

    public static string PartitionOf(DateTimeOffset receivedAt) => receivedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static TableEntity ToEntity(RejectedCallback rejected)
    {
        // Newest first: row keys sort ascending.
        var rowKey = $"{DateTime.MaxValue.Ticks - rejected.ReceivedAt.UtcTicks:D19}-{rejected.Id}";
        var entity = new TableEntity(PartitionOf(rejected.ReceivedAt), rowKey)
        {
            ["CallbackId"] = rejected.Id,
            ["ReceivedAt"] = rejected.ReceivedAt,
            ["Status"] = rejected.Status,
            ["Reason"] = Truncate(rejected.Reason),
            ["Errors"] = rejected.Errors is null ? null : Truncate(JsonSerializer.Serialize(rejected.Errors, AppJson.Context.IReadOnlyDictionaryStringStringArray), 16 * 1024),
            ["ClientAddress"] = rejected.ClientAddress,
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
}
