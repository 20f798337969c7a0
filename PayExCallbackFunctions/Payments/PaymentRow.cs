using Azure.Data.Tables;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Payments;

/// <summary>
/// The payments table's row for one PayEx resource. The resource JSON can exceed Table Storage's
/// 64 KiB string limit, so it is split over <c>Json</c>, <c>Json1</c>, <c>Json2</c>, ...
/// </summary>
public static class PaymentRow
{
    public static TableEntity From(string partitionKey, PayExResource resource, DateTimeOffset fetchedAt, string callbackId)
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
            ["CallbackId"] = callbackId,
        };

        if (!ChunkedColumns.Write(entity, "Json", resource.Json))
        {
            entity["JsonTruncated"] = true;
        }

        return entity;
    }

    /// <summary>The resource JSON as stored, reassembled from its chunks.</summary>
    public static string ReadJson(TableEntity entity) => ChunkedColumns.Read(entity, "Json") ?? "";

    /// <summary>
    /// Whether <paramref name="incoming"/> is newer than the stored row, by PayEx's own
    /// <c>updated</c>. Without it on both sides there is no order to keep, so the later write wins;
    /// a resource without it never replaces one with it.
    /// </summary>
    public static bool IsNewer(PayExResource incoming, TableEntity stored)
    {
        var storedUpdated = stored.GetDateTimeOffset("Updated");
        return (incoming.Updated, storedUpdated) switch
        {
            ({ } i, { } s) => i > s,
            (null, null) => true,
            (null, _) => false,
            (_, null) => true,
        };
    }
}
