using System.Text.Json.Nodes;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// One telemetry item as Application Insights receives it (the host's and the worker's exporters
/// both send JSON lines to /v2.1/track): requests, dependencies, traces, metrics.
/// </summary>
public sealed record Exported(string Type, string Name, string? Id, string? OperationId, string? ParentId, JsonObject Properties, JsonObject Raw)
{
    public string? this[string property] => Properties[property]?.ToString();

    /// <summary>Every item the sink has received at the Application Insights endpoint, in order.</summary>
    public static List<Exported> From(TelemetrySink sink) =>
        sink.BodiesAt("/v2.1/track").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonNode.Parse(line)!.AsObject())
            .Select(item =>
            {
                var data = item["data"]?["baseData"]?.AsObject() ?? [];
                var tags = item["tags"]?.AsObject() ?? [];
                return new Exported(
                    item["data"]?["baseType"]?.GetValue<string>() ?? "",
                    data["name"]?.GetValue<string>() ?? data["metrics"]?[0]?["name"]?.GetValue<string>() ?? data["message"]?.GetValue<string>() ?? "",
                    data["id"]?.GetValue<string>(),
                    tags["ai.operation.id"]?.GetValue<string>(),
                    tags["ai.operation.parentId"]?.GetValue<string>(),
                    data["properties"]?.AsObject() ?? [],
                    item);
            })
            .ToList();

    /// <summary>Waits for the span named <paramref name="name"/> of callback <paramref name="callbackId"/>, the <paramref name="nth"/> one.</summary>
    public static async Task<Exported> SpanAsync(TelemetrySink sink, string name, string callbackId, int nth = 1) =>
        await Eventually.GetAsync(
            () => Task.FromResult(From(sink).Where(i => i.Name == name && i[PayExCallbackFunctions.Telemetry.TelemetryTags.CallbackId] == callbackId).Skip(nth - 1).FirstOrDefault()),
            $"span '{name}' #{nth} of callback {callbackId} at the ingestion endpoint");
}
