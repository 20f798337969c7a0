using System.Globalization;
using System.Text.Json.Nodes;

namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>The bits every generation's documents share: PayEx's time format, links and operations.</summary>
public static class LifeJson
{
    public const string ApiHost = "https://api.externalintegration.payex.com";
    public const string FrontEndHost = "https://ecom.externalintegration.payex.com";
    public const string UserAgent = "PayExCallbackFunctions.PayExStandIn/1.0";

    /// <summary>PayEx's timestamps: UTC with seven decimals, as in 2024-01-30T10:15:02.1234567Z.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static JsonObject Link(string path) => new() { ["id"] = path };

    /// <summary>Cancel, capture and reversal, each listed only while PayEx would allow it, under the names each generation gives them.</summary>
    public static void AddMoneyOperations(JsonArray operations, PaymentLife life, string path, string cancel, string capture, string reversal)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(life);
        foreach (var (remaining, collection, rel) in new[] { (life.RemainingCancellation, "cancellations", cancel), (life.RemainingCapture, "captures", capture), (life.RemainingReversal, "reversals", reversal) })
        {
            if (remaining > 0)
            {
                operations.Add(Operation("POST", $"{path}/{collection}", rel));
            }
        }
    }

    public static JsonObject Operation(string method, string href, string rel, string contentType = "application/json") => new()
    {
        ["method"] = method,
        ["href"] = href,
        ["rel"] = rel,
        ["contentType"] = contentType,
    };

    /// <summary>The sub-resource names of a $expand query (comma-separated, any case), lower-cased.</summary>
    public static HashSet<string> Expand(string? query) =>
        (query ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant())
            .ToHashSet();

    public static JsonObject PayeeInfo(PaymentLife life, string owner)
    {
        var info = new JsonObject
        {
            ["id"] = $"{owner}/payeeinfo",
            ["payeeId"] = "5cabf558-5283-482f-b252-4d58e06f6f3b",
            ["payeeReference"] = life.PayeeReference,
            ["payeeName"] = "Stand-in Merchant",
        };
        if (life.OrderReference is { } orderReference)
        {
            info["orderReference"] = orderReference;
        }

        return info;
    }
}
