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
/// One trace per callback, as Application Insights receives it from the host and the worker: the
/// host's request, the worker's acknowledge, and through the queue the processing, its PayEx GETs
/// and its table write; retries, replays and the poison queue stay in the callback's trace.
/// </summary>
public class TraceTests(TelemetryApp fixture) : IClassFixture<TelemetryApp>
{
    private async Task<string> AcknowledgeAsync(ExampleCallback callback, string? traceparent = null)
    {
        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/payex/callbacks") { Content = new StringContent(callback.Json, Encoding.UTF8, "application/json") };
        if (traceparent is not null)
        {
            post.Headers.Add("traceparent", traceparent);
        }

        using var response = await fixture.App.Http.SendAsync(post);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    private List<Exported> Operation(string operationId) => Exported.From(fixture.Sink).Where(i => i.OperationId == operationId).ToList();

    [Fact]
    public async Task One_callback_is_one_trace_from_the_acknowledge_through_the_queue_to_the_table_write()
    {
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);

        var id = await AcknowledgeAsync(callback);
        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);

        var acknowledge = await Exported.SpanAsync(fixture.Sink, CallbackTracing.AcknowledgeSpan, id);
        var process = await Exported.SpanAsync(fixture.Sink, CallbackTracing.ProcessSpan, id);
        var store = await Eventually.GetAsync(() => Task.FromResult(Operation(acknowledge.OperationId!).FirstOrDefault(i => i.Name == CallbackTracing.StoreSpan)), "the table write's span");
        var operation = await WithTheHostsRequestAsync(acknowledge);
        AssertUnderTheHostsRequest(acknowledge, operation);
        Assert.Equal(CallbackOutcomes.Acknowledged, acknowledge[TelemetryTags.CallbackOutcome]);
        // Processing, a queue invocation the host traces not at all, continues the acknowledge.
        Assert.Equal(acknowledge.OperationId, process.OperationId);
        Assert.Equal(acknowledge.Id, process.ParentId);
        Assert.Equal("1", process[TelemetryTags.CallbackAttempt]);
        Assert.False(string.IsNullOrEmpty(process[TelemetryTags.InvocationId]), "the worker's invocation id is not on the processing span");

        var gets = operation.Where(i => i.Name.StartsWith(CallbackTracing.PayExGetSpanPrefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(["PayEx GET payment", "PayEx GET transaction"], gets.Select(g => g.Name).Order(StringComparer.Ordinal));
        Assert.All(gets, get => Assert.Equal(process.Id, get.ParentId));
        Assert.Equal(process.Id, store.ParentId);
        Assert.Equal(callback.Payment.ToString("D"), store[TelemetryTags.Partition]);
    }

    [Fact]
    public async Task Every_callback_of_a_burst_is_traced_from_the_hosts_request()
    {
        // Past 5 traces a second (its queue polls count too) the host's default sampler drops its request,
        // and the worker then starts the acknowledge as a trace of its own.
        var callbacks = Enumerable.Range(0, 16).Select(_ => new ExampleCallback()).ToList();
        callbacks.ForEach(callback => callback.Serve(fixture.PayEx));
        var ids = await Task.WhenAll(callbacks.Select(callback => AcknowledgeAsync(callback)));

        foreach (var id in ids)
        {
            var acknowledge = await Exported.SpanAsync(fixture.Sink, CallbackTracing.AcknowledgeSpan, id);
            AssertUnderTheHostsRequest(acknowledge, await WithTheHostsRequestAsync(acknowledge));
        }
    }

    // The host exports on its own schedule: wait for its request to reach the trace of the acknowledge.
    private async Task<List<Exported>> WithTheHostsRequestAsync(Exported acknowledge) =>
        await Eventually.GetAsync(
            () => Task.FromResult(Operation(acknowledge.OperationId!) is var items && items.Any(IsTheHostsRequest) ? items : null),
            $"the host's request in the trace of callback {acknowledge[TelemetryTags.CallbackId]}");

    private static bool IsTheHostsRequest(Exported item) => item.Type == "RequestData" && item.Name == "POST /api/payex/callbacks";

    // The host's request is the root, and the worker's invocation span sits between it and the acknowledge.
    private static void AssertUnderTheHostsRequest(Exported acknowledge, List<Exported> operation)
    {
        var invocation = Assert.Single(operation, i => i.Id == acknowledge.ParentId);
        Assert.Equal("function PayExCallback", invocation.Name);
        var request = Assert.Single(operation, i => i.Id == invocation.ParentId);
        Assert.True(IsTheHostsRequest(request), $"the invocation's parent is {request.Type} '{request.Name}', not the host's request");
        Assert.Null(request.ParentId);
        Assert.Equal("unknown_service:dotnet", request.Raw["tags"]?["ai.cloud.role"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_retried_callback_stays_in_its_trace_and_each_attempt_is_a_span()
    {
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);
        fixture.PayEx.State.AddFault(new Fault { Path = callback.PaymentPath, Status = 503, Remaining = 1 });

        var id = await AcknowledgeAsync(callback);
        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);

        var acknowledge = await Exported.SpanAsync(fixture.Sink, CallbackTracing.AcknowledgeSpan, id);
        var first = await Exported.SpanAsync(fixture.Sink, CallbackTracing.ProcessSpan, id);
        var second = await Exported.SpanAsync(fixture.Sink, CallbackTracing.ProcessSpan, id, nth: 2);
        Assert.Equal([CallbackOutcomes.Retried, CallbackOutcomes.Processed], new[] { first, second }.Select(a => a[TelemetryTags.CallbackOutcome]));
        Assert.Equal(["1", "2"], new[] { first, second }.Select(a => a[TelemetryTags.CallbackAttempt]));
        Assert.All(new[] { first, second }, attempt => Assert.Equal(acknowledge.Id, attempt.ParentId));
        Assert.All(new[] { first, second }, attempt => Assert.Equal(acknowledge.OperationId, attempt.OperationId));
        Assert.Equal("Transient", first[TelemetryTags.FailureKind]);
    }

    [Fact]
    public async Task A_replayed_dead_letter_is_processed_in_the_trace_of_its_callback()
    {
        // PayEx does not know the payment yet: a permanent failure, dead-lettered at once.
        var callback = new ExampleCallback();
        var id = await AcknowledgeAsync(callback);
        var acknowledge = await Exported.SpanAsync(fixture.Sink, CallbackTracing.AcknowledgeSpan, id);
        var first = await Exported.SpanAsync(fixture.Sink, CallbackTracing.ProcessSpan, id);
        Assert.Equal(CallbackOutcomes.DeadLettered, first[TelemetryTags.CallbackOutcome]);

        callback.Serve(fixture.PayEx);
        using (var replay = await fixture.App.Http.PostAsync($"/api/payex/deadletters/{id}/replay", null))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        }

        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
        var replayed = await Exported.SpanAsync(fixture.Sink, CallbackTracing.ProcessSpan, id, nth: 2);
        Assert.Equal(CallbackOutcomes.Processed, replayed[TelemetryTags.CallbackOutcome]);
        Assert.Equal(acknowledge.OperationId, replayed.OperationId);
        Assert.Equal(acknowledge.Id, replayed.ParentId);
    }

    [Fact]
    public async Task A_callers_not_sampled_flag_does_not_switch_the_callbacks_trace_off()
    {
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);
        var callerTrace = ActivityTraceId.CreateRandom().ToHexString();

        var id = await AcknowledgeAsync(callback, $"00-{callerTrace}-{ActivitySpanId.CreateRandom()}-00");
        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);

        var acknowledge = await Exported.SpanAsync(fixture.Sink, CallbackTracing.AcknowledgeSpan, id);
        var process = await Exported.SpanAsync(fixture.Sink, CallbackTracing.ProcessSpan, id);
        // The host starts a trace of its own for such a request; the callback's trace is whole in it.
        Assert.Equal(acknowledge.OperationId, process.OperationId);
        Assert.Equal(acknowledge.Id, process.ParentId);
        await Eventually.TrueAsync(() => Task.FromResult(Operation(acknowledge.OperationId!).Any(i => i.Name == CallbackTracing.StoreSpan && i.ParentId == process.Id)), "the table write in the callback's trace");
    }

    [Fact]
    public async Task A_poisoned_callback_is_dead_lettered_in_its_trace()
    {
        // What the host moves to the poison queue: the envelope as acknowledged, trace context included.
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
        await fixture.Storage.Poison.CreateIfNotExistsAsync();
        await fixture.Storage.Poison.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(envelope.ToJsonString())));

        var poison = await Exported.SpanAsync(fixture.Sink, CallbackTracing.PoisonSpan, id);
        Assert.Equal(trace.ToHexString(), poison.OperationId);
        Assert.Equal(acknowledgeSpan.ToHexString(), poison.ParentId);
        Assert.Equal("Poison", poison[TelemetryTags.DeadLetterOrigin]);
        Assert.Single(await fixture.Storage.DeadLettersAsync(), row => row.RowKey == id);
    }

    [Fact]
    public async Task A_rejected_callback_is_a_rejected_acknowledge_span_with_nothing_queued()
    {
        using var content = new StringContent("""{"payment":{"id":"not a path"}}""", Encoding.UTF8, "application/json");
        using var response = await fixture.App.Http.PostAsync("/api/payex/callbacks", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["callbackId"]!.GetValue<string>();

        var acknowledge = await Exported.SpanAsync(fixture.Sink, CallbackTracing.AcknowledgeSpan, id);
        Assert.Equal(CallbackOutcomes.Rejected, acknowledge[TelemetryTags.CallbackOutcome]);
        Assert.DoesNotContain(Exported.From(fixture.Sink), i => i.Name == CallbackTracing.ProcessSpan && i[TelemetryTags.CallbackId] == id);
    }
}
