using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.Telemetry;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Telemetry;

/// <summary>
/// One callback, one trace: from the HTTP request PayEx made, through the acknowledge, the queue,
/// each attempt to process it, its PayEx GETs and its table write. The standalone app runs in the
/// test process with in-memory exporters added to its OpenTelemetry setup.
/// </summary>
[Collection(InProcessAppCollection.Name)]
public class TraceTests
{
    private static Dictionary<string, string?> Settings(TestStorage storage, StandIn payEx)
    {
        var settings = storage.Settings(payEx);
        // A failure goes straight to the durable retry path, which is what these tests follow.
        settings["PayEx__QuickRetries"] = "0";
        return settings;
    }

    private static async Task<string> AcknowledgeAsync(InProcessApp app, ExampleCallback callback)
    {
        using var content = new StringContent(callback.Json, Encoding.UTF8, "application/json");
        using var response = await app.Http.PostAsync($"/api/payex/callbacks?code={TestStorage.CallbackKey}", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    private static Activity AcknowledgeSpan(InProcessApp app, string callbackId) =>
        Assert.Single(app.AllSpans(), s => s.OperationName == CallbackTracing.AcknowledgeSpan && Equals(s.GetTagItem(TelemetryTags.CallbackId), callbackId));

    private static async Task<IReadOnlyList<Activity>> ProcessSpansAsync(InProcessApp app, ActivityTraceId trace, int count, string lastOutcome) =>
        await Eventually.GetAsync(() =>
        {
            var spans = app.SpansOf(trace).Where(s => s.OperationName == CallbackTracing.ProcessSpan).OrderBy(s => s.StartTimeUtc).ToArray();
            return Task.FromResult(spans.Length == count && Equals(spans[^1].GetTagItem(TelemetryTags.CallbackOutcome), lastOutcome) ? spans : null);
        }, $"{count} process spans, the last {lastOutcome}");

    [Fact]
    public async Task One_callback_yields_one_trace_with_the_acknowledge_process_PayEx_and_table_spans()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        await using var app = new InProcessApp(Settings(storage, payEx));
        var callback = new ExampleCallback();
        callback.Serve(payEx);

        var id = await AcknowledgeAsync(app, callback);
        await storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);

        var acknowledge = AcknowledgeSpan(app, id);
        var process = Assert.Single(await ProcessSpansAsync(app, acknowledge.TraceId, 1, CallbackOutcomes.Processed));
        var trace = app.SpansOf(acknowledge.TraceId);

        // PayEx's POST is the root; the acknowledge is its child, and processing continues the acknowledge.
        var request = Assert.Single(trace, s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("/api/payex/callbacks", StringComparison.Ordinal));
        Assert.Equal(default, request.ParentSpanId);
        Assert.Equal(request.SpanId, acknowledge.ParentSpanId);
        Assert.Equal(ActivityKind.Producer, acknowledge.Kind);
        Assert.Equal("acknowledged", acknowledge.GetTagItem(TelemetryTags.CallbackOutcome));
        Assert.Equal(acknowledge.SpanId, process.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, process.Kind);
        Assert.Equal(id, process.GetTagItem(TelemetryTags.CallbackId));
        Assert.Equal(1, process.GetTagItem(TelemetryTags.CallbackAttempt));
        Assert.Equal(storage.QueueName, process.GetTagItem(TelemetryTags.Destination));
        Assert.True(process.GetTagItem(TelemetryTags.CallbackLagMs) is long lag && lag >= 0);

        // Each PayEx GET and the table write are children of the processing span.
        var gets = trace.Where(s => s.OperationName.StartsWith(CallbackTracing.PayExGetSpanPrefix, StringComparison.Ordinal)).ToArray();
        Assert.Equal(["PayEx GET payment", "PayEx GET transaction"], gets.Select(s => s.OperationName).Order(StringComparer.Ordinal));
        Assert.All(gets, get => Assert.Equal(process.SpanId, get.ParentSpanId));
        Assert.All(gets, get => Assert.Equal(200, get.GetTagItem(TelemetryTags.StatusCode)));
        var store = Assert.Single(trace, s => s.OperationName == CallbackTracing.StoreSpan);
        Assert.Equal(process.SpanId, store.ParentSpanId);
        Assert.Equal(callback.Payment.ToString("D"), store.GetTagItem(TelemetryTags.Partition));
        Assert.Equal(2, store.GetTagItem(TelemetryTags.RowsWritten));

        // Under each PayEx GET, the HTTP request that carried it, to the stand-in.
        foreach (var get in gets)
        {
            var http = Assert.Single(trace, s => s.Kind == ActivityKind.Client && s.ParentSpanId == get.SpanId);
            Assert.Equal(payEx.BaseUrl.Port, http.GetTagItem("server.port"));
        }

        // Storage calls made while processing belong to the trace; the listener's polls do not.
        Assert.Contains(trace, s => s.Kind == ActivityKind.Client && s.ParentSpanId == store.SpanId);
        Assert.DoesNotContain(app.AllSpans(), s => s.Kind == ActivityKind.Client && s.ParentSpanId == default);
    }

    [Fact]
    public async Task A_retried_callback_stays_in_its_trace_and_each_attempt_is_a_span()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        await using var app = new InProcessApp(Settings(storage, payEx));
        var callback = new ExampleCallback();
        callback.Serve(payEx);
        payEx.State.AddFault(new Fault { Path = callback.PaymentPath, Status = 503, Remaining = 1 });

        var id = await AcknowledgeAsync(app, callback);
        await storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);

        var acknowledge = AcknowledgeSpan(app, id);
        var attempts = await ProcessSpansAsync(app, acknowledge.TraceId, 2, CallbackOutcomes.Processed);
        Assert.Equal([CallbackOutcomes.Retried, CallbackOutcomes.Processed], attempts.Select(a => a.GetTagItem(TelemetryTags.CallbackOutcome)));
        Assert.Equal([1, 2], attempts.Select(a => a.GetTagItem(TelemetryTags.CallbackAttempt)));
        Assert.All(attempts, attempt => Assert.Equal(acknowledge.SpanId, attempt.ParentSpanId));
        Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
        Assert.Equal("Transient", attempts[0].GetTagItem(TelemetryTags.FailureKind));
        Assert.Contains(attempts[0].Events, e => e.Name == "Retry scheduled");

        var failedGet = Assert.Single(app.SpansOf(acknowledge.TraceId), s => s.OperationName == "PayEx GET payment" && s.ParentSpanId == attempts[0].SpanId);
        Assert.Equal(503, failedGet.GetTagItem(TelemetryTags.StatusCode));
        Assert.Equal(ActivityStatusCode.Error, failedGet.Status);
    }

    [Fact]
    public async Task A_replayed_dead_letter_is_processed_in_the_trace_of_its_callback()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        await using var app = new InProcessApp(Settings(storage, payEx));
        var callback = new ExampleCallback();

        // PayEx does not know the payment yet: a permanent failure, dead-lettered at once.
        var id = await AcknowledgeAsync(app, callback);
        var acknowledge = AcknowledgeSpan(app, id);
        await ProcessSpansAsync(app, acknowledge.TraceId, 1, CallbackOutcomes.DeadLettered);

        callback.Serve(payEx);
        using (var replay = await app.Http.PostAsync($"/api/payex/deadletters/{id}/replay?code={TestStorage.AdminKey}", null))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        }

        await storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
        var attempts = await ProcessSpansAsync(app, acknowledge.TraceId, 2, CallbackOutcomes.Processed);
        Assert.All(attempts, attempt => Assert.Equal(acknowledge.SpanId, attempt.ParentSpanId));
    }

    [Fact]
    public async Task A_callers_not_sampled_flag_does_not_switch_the_callbacks_trace_off()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        await using var app = new InProcessApp(Settings(storage, payEx));
        var callback = new ExampleCallback();
        callback.Serve(payEx);

        var callerTrace = ActivityTraceId.CreateRandom();
        using var post = new HttpRequestMessage(HttpMethod.Post, $"/api/payex/callbacks?code={TestStorage.CallbackKey}") { Content = new StringContent(callback.Json, Encoding.UTF8, "application/json") };
        post.Headers.Add("traceparent", $"00-{callerTrace}-{ActivitySpanId.CreateRandom()}-00");
        using var response = await app.Http.SendAsync(post);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        await storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);

        var acknowledge = AcknowledgeSpan(app, id);
        Assert.Equal(callerTrace, acknowledge.TraceId);
        var process = Assert.Single(await ProcessSpansAsync(app, callerTrace, 1, CallbackOutcomes.Processed));
        Assert.Contains(app.SpansOf(callerTrace), s => s.OperationName == CallbackTracing.StoreSpan && s.ParentSpanId == process.SpanId);
    }

    [Fact]
    public async Task A_poisoned_callback_is_dead_lettered_in_its_trace()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        await using var app = new InProcessApp(Settings(storage, payEx));

        // What the trigger moves to the poison queue: the envelope as acknowledged, trace context included.
        var trace = ActivityTraceId.CreateRandom();
        var acknowledgeSpan = ActivitySpanId.CreateRandom();
        var id = Guid.NewGuid().ToString("N");
        var envelope = new JsonObject
        {
            ["version"] = 1,
            ["id"] = id,
            ["shape"] = "V1Nested",
            ["payment"] = $"/psp/creditcard/payments/{Guid.NewGuid()}",
            ["receivedAt"] = DateTimeOffset.UtcNow.ToString("O"),
            ["rawBody"] = "{}",
            ["traceParent"] = $"00-{trace}-{acknowledgeSpan}-01",
        };
        await storage.Poison.CreateIfNotExistsAsync();
        await storage.Poison.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(envelope.ToJsonString())));

        var poison = await Eventually.GetAsync(
            () => Task.FromResult(app.SpansOf(trace).FirstOrDefault(s => s.OperationName == CallbackTracing.PoisonSpan)),
            "the poison span in the callback's trace");
        Assert.Equal(acknowledgeSpan, poison.ParentSpanId);
        Assert.Equal(id, poison.GetTagItem(TelemetryTags.CallbackId));
        Assert.Equal("Poison", poison.GetTagItem(TelemetryTags.DeadLetterOrigin));
        Assert.Single(await storage.DeadLettersAsync(), row => row.RowKey == id);
    }

    [Fact]
    public async Task A_rejected_callback_is_a_rejected_acknowledge_span_with_nothing_queued()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        await using var app = new InProcessApp(Settings(storage, payEx));

        using var content = new StringContent("""{"payment":{"id":"not a path"}}""", Encoding.UTF8, "application/json");
        using var response = await app.Http.PostAsync($"/api/payex/callbacks?code={TestStorage.CallbackKey}", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["callbackId"]!.GetValue<string>();

        var acknowledge = AcknowledgeSpan(app, id);
        Assert.Equal(CallbackOutcomes.Rejected, acknowledge.GetTagItem(TelemetryTags.CallbackOutcome));
        Assert.Equal(400, acknowledge.GetTagItem(TelemetryTags.StatusCode));
        Assert.Empty(await TestStorage.PeekAsync(storage.Queue));
    }
}
