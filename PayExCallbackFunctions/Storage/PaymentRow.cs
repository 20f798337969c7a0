using System.Text;
using Azure.Data.Tables;
using PayExCallbackFunctions.PayEx;

namespace PayExCallbackFunctions.Storage;

/// <summary>
/// The payments table's row for one PayEx resource. The resource JSON can exceed Table Storage's
/// 64 KiB string limit, so it is split over <c>Json</c>, <c>Json1</c>, <c>Json2</c>, ...
/// </summary>
public static class PaymentRow
{
    // 32,000 UTF-16 characters stay under the 64 KiB property limit; 12 of them under 1 MiB an entity.
    private const int ChunkChars = 32_000;
    private const int MaxChunks = 12;

    public static TableEntity From(string partitionKey, PayExResource resource, DateTimeOffset fetchedAt)
    {
        var entity = new TableEntity(partitionKey, resource.RowKey)
        {
            ["ResourceId"] = resource.ResourceId,
            ["Number"] = resource.Number,
            ["State"] = resource.State,
            ["Type"] = resource.Type,
            ["Amount"] = resource.Amount,
            ["Currency"] = resource.Currency,
            ["Updated"] = resource.Updated,
            ["Instrument"] = resource.Instrument,
            ["PayeeReference"] = resource.PayeeReference,
            ["OrderReference"] = resource.OrderReference,
            ["FetchedAt"] = fetchedAt,
        };

        var json = resource.Json;
        var start = 0;
        for (var i = 0; i < MaxChunks && start < json.Length; i++)
        {
            var length = Math.Min(ChunkChars, json.Length - start);
            // Never split a surrogate pair across two columns.
            if (start + length < json.Length && char.IsHighSurrogate(json[start + length - 1]))
            {
                length--;
            }

            entity[i == 0 ? "Json" : $"Json{i}"] = json.Substring(start, length);
            start += length;
        }

        if (start < json.Length)
        {
            entity["JsonTruncated"] = true;
        }

        return entity;
    }

    /// <summary>The resource JSON as stored, reassembled from its chunks.</summary>
    public static string ReadJson(TableEntity entity)
    {
        var json = new StringBuilder(entity.GetString("Json"));
        for (var i = 1; entity.GetString($"Json{i}") is { } chunk; i++)
        {
            json.Append(chunk);
        }

        return json.ToString();
    }
}
