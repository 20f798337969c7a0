using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Api;

/// <summary>What the tests of the payments API do as PayEx and as the order system would.</summary>
internal static class PaymentsApiClient
{
    /// <summary>Moves the stand-in's payment one step and posts the step's callback, as PayEx would.</summary>
    public static async Task<StandInStep> StepAndPostAsync(this RunningApp app, Guid id, string step, long? amount = null)
    {
        var made = await app.PayEx.StepAsync(id, step, amount);
        using var response = await app.PostCallbackAsync(made.Callback);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return made;
    }

    /// <summary>GET payments/{id} until the payment reads <paramref name="status"/> at <paramref name="version"/> or later.</summary>
    public static async Task<JsonObject> WaitForStatusAsync(this RunningApp app, Guid id, string status, long version = 1)
    {
        JsonObject? last = null;
        try
        {
            return await Eventually.GetAsync(async () =>
            {
                var (code, body) = await app.GetPaymentAsync($"/api/payments/{id}");
                last = body;
                return code == HttpStatusCode.OK && body!["status"]!.GetValue<string>() == status && body["version"]!.GetValue<long>() >= version ? body : null;
            }, $"payment {id} to read {status} at version {version} or later");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Last answer: {last?.ToJsonString() ?? "none"}", e);
        }
    }

    public static async Task<(HttpStatusCode Code, JsonObject? Body)> GetPaymentAsync(this RunningApp app, string path)
    {
        using var response = await app.App.Http.GetAsync(path);
        return (response.StatusCode, await ReadAsync(response));
    }

    public static async Task<(HttpStatusCode Code, JsonObject? Body)> RefreshAsync(this RunningApp app, Guid id)
    {
        using var response = await app.App.Http.PostAsync($"/api/payments/{id}/refresh", null);
        return (response.StatusCode, await ReadAsync(response));
    }

    private static async Task<JsonObject?> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
    }

    /// <summary>The status and the amounts of an answer, for comparing in one assertion.</summary>
    public static (string Status, long Authorized, long Captured, long Cancelled, long Reversed) Money(JsonObject body) =>
        (body["status"]!.GetValue<string>(),
         body["authorizedAmount"]!.GetValue<long>(),
         body["capturedAmount"]!.GetValue<long>(),
         body["cancelledAmount"]!.GetValue<long>(),
         body["reversedAmount"]!.GetValue<long>());

    public static Task<JsonObject?> ReadProblemAsync(HttpResponseMessage response) => ReadAsync(response);

    public static JsonContent Json(object value) => JsonContent.Create(value);
}
