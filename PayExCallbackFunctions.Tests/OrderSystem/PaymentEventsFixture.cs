using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.OrderSystem;
using PayExCallbackFunctions.OrderSystem.Orders;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.OrderSystem;

/// <summary>Payment events as the app sends them, and a Standard Webhooks signer of the tests' own (not the sample's verifier).</summary>
public static class PaymentEventsFixture
{
    /// <summary>An event of <paramref name="payment"/> at <paramref name="version"/>, as the app's CloudEvents document.</summary>
    public static string Event(
        Guid payment, long version, string status, string? previousStatus = null, long amount = 1500, long captured = 0, long reversed = 0, string orderReference = "549213")
    {
        var document = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = $"{payment:D}-v{version}",
            ["source"] = "/payex-callback-functions/payments",
            ["type"] = $"payment.{status}",
            ["subject"] = payment.ToString("D"),
            ["time"] = "2026-12-07T01:32:45.15Z",
            ["datacontenttype"] = "application/json",
            ["sequence"] = version.ToString("D10", CultureInfo.InvariantCulture),
            ["data"] = new JsonObject
            {
                ["payment"] = payment.ToString("D"),
                ["status"] = status,
                ["previousStatus"] = previousStatus,
                ["version"] = version,
                ["detectedBy"] = "callback",
                ["changedAt"] = "2026-12-07T01:32:45.15Z",
                ["snapshot"] = new JsonObject
                {
                    ["status"] = status,
                    ["amount"] = amount,
                    ["authorizedAmount"] = status is "pending" or "failed" or "aborted" ? 0 : amount,
                    ["capturedAmount"] = captured,
                    ["cancelledAmount"] = status == "cancelled" ? amount : 0,
                    ["reversedAmount"] = reversed,
                    ["currency"] = "SEK",
                    ["orderReference"] = orderReference,
                    ["payeeReference"] = $"pr{version}",
                },
            },
        };
        return document.ToJsonString();
    }

    /// <summary>An order as the order system shows it, to compare by value.</summary>
    public static string Json(Order? order) => JsonSerializer.Serialize(order, OrderSystemJson.Default.Order);

    /// <summary>The id the app gives the event of <paramref name="payment"/> at <paramref name="version"/>.</summary>
    public static string EventId(Guid payment, long version) => $"{payment:D}-v{version}";

    /// <summary><c>v1,</c> and the base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed by the secret's bytes.</summary>
    public static string Sign(string secret, string id, long timestamp, string body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(
            Convert.FromBase64String(secret["whsec_".Length..]),
            Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));

    /// <summary>
    /// POSTs <paramref name="body"/> to the order system's webhook as the app does, signed with <paramref name="secret"/>
    /// (default: the host's) at <paramref name="sentAt"/> (default: now); <paramref name="tamper"/> changes the request after signing.
    /// </summary>
    public static async Task<HttpResponseMessage> PostAsync(
        OrderSystemHost host, string body, string? secret = null, DateTimeOffset? sentAt = null, Action<HttpRequestMessage>? tamper = null)
    {
        var id = (string)JsonNode.Parse(body)!["id"]!;
        var timestamp = (sentAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, host.WebhookUrl)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/cloudevents+json") { CharSet = "utf-8" }),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", Sign(secret ?? host.Secret, id, timestamp, body));
        tamper?.Invoke(request);
        return await host.Http.SendAsync(request);
    }

    /// <summary>Posts and expects 204, as for every event verified (applied, duplicate or stale).</summary>
    public static async Task DeliverAsync(OrderSystemHost host, string body, string? secret = null, DateTimeOffset? sentAt = null)
    {
        using var response = await PostAsync(host, body, secret, sentAt);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
    }
}
