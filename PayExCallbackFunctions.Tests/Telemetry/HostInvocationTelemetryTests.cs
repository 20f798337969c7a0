using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Hosting;
using PayExCallbackFunctions.Telemetry;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Telemetry;

/// <summary>
/// Under the Functions host, the handler's telemetry joins the host's: the callback's trace starts
/// in the host's HTTP invocation, and each queue invocation is recorded by its id and linked. The
/// app runs as a custom handler, invoked as the host does, exporting to a stand-in for Application Insights.
/// </summary>
public class HostInvocationTelemetryTests
{
    private static IEnumerable<JsonObject> Items(TelemetrySink sink) =>
        sink.BodiesAt("/v2.1/track").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!.AsObject());

    private static string? Property(JsonObject item, string name) => item["data"]?["baseData"]?["properties"]?[name]?.GetValue<string>();

    [Fact]
    public async Task Host_invocation_ids_are_recorded_and_the_queue_invocation_is_linked_to_the_callbacks_trace()
    {
        await using var sink = new TelemetrySink();
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        var settings = storage.Settings(payEx);
        settings[TelemetryServices.AzureMonitorSetting] = $"InstrumentationKey=00000000-0000-0000-0000-000000000002;IngestionEndpoint={sink.BaseUrl}";
        await using var app = await AppProcess.StartAsync(settings, customHandler: true);
        var callback = new ExampleCallback();
        callback.Serve(payEx);

        // The host's HTTP invocation, proxied with its trace context and invocation id.
        var httpTrace = ActivityTraceId.CreateRandom();
        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/payex/callbacks") { Content = new StringContent(callback.Json, Encoding.UTF8, "application/json") };
        post.Headers.Add("traceparent", $"00-{httpTrace}-{ActivitySpanId.CreateRandom()}-01");
        post.Headers.Add(FunctionsInvocation.IdHeader, "host-http-invocation-1");
        using var acknowledged = await app.Raw.SendAsync(post);
        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        var id = (await acknowledged.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        // The host's queue trigger, in a trace of its own, hands the message over.
        var message = await Eventually.GetAsync(async () => (await TestStorage.PeekAsync(storage.Queue)).SingleOrDefault(), "the acknowledged message");
        var queueTrace = ActivityTraceId.CreateRandom();
        var invocation = new JsonObject
        {
            ["Data"] = new JsonObject { ["message"] = message },
            ["Metadata"] = new JsonObject { ["DequeueCount"] = 1, ["Id"] = Guid.NewGuid().ToString() },
        };
        using var invoke = new HttpRequestMessage(HttpMethod.Post, "/ProcessPayExCallback") { Content = new StringContent(invocation.ToJsonString(), Encoding.UTF8, "application/json") };
        invoke.Headers.Add("traceparent", $"00-{queueTrace}-{ActivitySpanId.CreateRandom()}-01");
        invoke.Headers.Add(FunctionsInvocation.IdHeader, "host-queue-invocation-2");
        using var invoked = await app.Raw.SendAsync(invoke);
        Assert.Equal(HttpStatusCode.OK, invoked.StatusCode);

        var process = await Eventually.GetAsync(
            () => Task.FromResult(Items(sink).FirstOrDefault(i => i["data"]?["baseData"]?["name"]?.GetValue<string>() == CallbackTracing.ProcessSpan && Property(i, TelemetryTags.CallbackId) == id)),
            "the processing span at the ingestion endpoint");
        var acknowledge = Assert.Single(Items(sink), i => i["data"]?["baseData"]?["name"]?.GetValue<string>() == CallbackTracing.AcknowledgeSpan && Property(i, TelemetryTags.CallbackId) == id);

        // One operation: the host's HTTP invocation's trace, through the acknowledge to the processing.
        Assert.Equal(httpTrace.ToHexString(), acknowledge["tags"]!["ai.operation.id"]!.GetValue<string>());
        Assert.Equal(httpTrace.ToHexString(), process["tags"]!["ai.operation.id"]!.GetValue<string>());
        Assert.Equal("host-http-invocation-1", Property(acknowledge, TelemetryTags.InvocationId));
        Assert.Equal("host-queue-invocation-2", Property(process, TelemetryTags.InvocationId));
        // The queue invocation's own trace is linked, so the host's telemetry of it leads here.
        Assert.Contains(queueTrace.ToHexString(), Property(process, "_MS.links") ?? "", StringComparison.Ordinal);
    }
}
