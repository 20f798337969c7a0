using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Tracking;

/// <summary>
/// The app with tracking on a test-time schedule: a sweep every second and a check every <see cref="StepSeconds"/> s,
/// without a rate limit to speak of. The stand-in sends no callbacks (it has no callback URL), as for a merchant with
/// callbacks off; a test posts one where it wants one.
/// </summary>
public class TrackingApp() : RunningApp(Settings(StepSeconds, checksPerSecond: 100))
{
    public const int StepSeconds = 4;

    internal static Dictionary<string, string?> Settings(int stepSeconds, double checksPerSecond) => new()
    {
        ["PayExTrackingSweep"] = "* * * * * *",
        ["AzureWebJobs.SweepPayExChecks.Disabled"] = "false",
        ["Tracking__Schedule"] = TimeSpan.FromSeconds(stepSeconds).ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        ["Tracking__ChecksPerSecond"] = checksPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>What the tracking tests do as the order system would.</summary>
internal static class TrackingClient
{
    public static async Task<(HttpStatusCode Code, JsonObject? Body)> RegisterAsync(this RunningApp app, object body)
    {
        using var response = await app.App.Http.PostAsJsonAsync("/api/payments", body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject);
    }

    public static async Task<(HttpStatusCode Code, JsonObject? Body)> StopTrackingAsync(this RunningApp app, Guid id)
    {
        using var response = await app.App.Http.DeleteAsync($"/api/payments/{id:D}");
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject);
    }

    /// <summary>The stand-in's GETs of anything under the payment (or payment order) with this id, in the order they came.</summary>
    public static IReadOnlyList<DateTimeOffset> GetsOf(this RunningApp app, Guid id) =>
        app.PayEx.State.Requests
            .Where(r => r.Method == "GET" && r.PathAndQuery.Contains(id.ToString("D"), StringComparison.OrdinalIgnoreCase))
            .Select(r => r.At)
            .Order()
            .ToArray();
}
