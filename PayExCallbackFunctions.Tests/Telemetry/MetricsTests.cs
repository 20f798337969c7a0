using System.Net;
using System.Text;
using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.Telemetry;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Telemetry;

/// <summary>
/// The app's metrics as Application Insights receives them from the worker (deltas, one item per
/// instrument and dimensions each minute): counts of callbacks by outcome, lag, PayEx, the queues.
/// The class has an app of its own, so that its counts are its own.
/// </summary>
public class MetricsTests(TelemetryApp fixture) : IClassFixture<TelemetryApp>
{
    private List<Exported> Metrics() => Exported.From(fixture.Sink).Where(i => i.Type == "MetricData").ToList();

    private double Sum(string name, params (string Key, string Value)[] dimensions) =>
        Metrics().Where(m => m.Name == name && dimensions.All(d => m[d.Key] == d.Value))
            .Sum(m => m.Raw["data"]!["baseData"]!["metrics"]![0]!["value"]!.GetValue<double>());

    private double Count(string name, params (string Key, string Value)[] dimensions) =>
        Metrics().Where(m => m.Name == name && dimensions.All(d => m[d.Key] == d.Value))
            .Sum(m => m.Raw["data"]!["baseData"]!["metrics"]![0]!["count"]?.GetValue<double>() ?? 1);

    private async Task PostAsync(string json, HttpStatusCode expected)
    {
        using var response = await fixture.PostCallbackAsync(json);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_count_received_rejected_processed_retried_and_dead_lettered_callbacks_and_measure_lag_PayEx_and_the_poison_queue()
    {
        // Stored at once; stored after one retry; dead-lettered (PayEx does not know the payment); refused; poisoned.
        var stored = new ExampleCallback();
        stored.Serve(fixture.PayEx);
        var retried = new ExampleCallback();
        retried.Serve(fixture.PayEx);
        fixture.PayEx.State.AddFault(new Fault { Path = retried.PaymentPath, Status = 503, Remaining = 1 });
        var unknown = new ExampleCallback();
        await PostAsync(stored.Json, HttpStatusCode.OK);
        await PostAsync(retried.Json, HttpStatusCode.OK);
        await PostAsync(unknown.Json, HttpStatusCode.OK);
        await PostAsync("""{"payment":{"id":"not a path"}}""", HttpStatusCode.BadRequest);
        await fixture.Storage.Poison.CreateIfNotExistsAsync();
        await fixture.Storage.Poison.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("not an envelope")));

        await fixture.Storage.WaitForRowsAsync(stored.Payment, stored.RowKeys);
        await fixture.Storage.WaitForRowsAsync(retried.Payment, retried.RowKeys);
        await Eventually.TrueAsync(
            () => Task.FromResult(Sum(CallbackMetrics.DeadLetters) == 2 && Sum(CallbackMetrics.Processed) == 4),
            "two dead letters and four attempts counted",
            // The Azure Monitor exporter sends metrics once a minute, whatever OTEL_METRIC_EXPORT_INTERVAL says.
            TimeSpan.FromSeconds(150));

        Assert.Equal(3, Sum(CallbackMetrics.Received, (TelemetryTags.CallbackOutcome, "acknowledged"), (TelemetryTags.CallbackShape, "V1Nested")));
        Assert.Equal(1, Sum(CallbackMetrics.Received, (TelemetryTags.CallbackOutcome, "rejected"), (TelemetryTags.CallbackShape, "unknown")));
        Assert.Equal(1, Sum(CallbackMetrics.Rejected, (TelemetryTags.StatusCode, "400"), (TelemetryTags.CallbackRejection, "invalid")));
        Assert.Equal(2, Sum(CallbackMetrics.Processed, (TelemetryTags.CallbackOutcome, "processed")));
        Assert.Equal(1, Sum(CallbackMetrics.Processed, (TelemetryTags.CallbackOutcome, "retried")));
        Assert.Equal(1, Sum(CallbackMetrics.Processed, (TelemetryTags.CallbackOutcome, "dead_lettered")));
        Assert.Equal(1, Sum(CallbackMetrics.Retries, (TelemetryTags.FailureKind, "Transient")));
        Assert.Equal(1, Sum(CallbackMetrics.DeadLetters, (TelemetryTags.DeadLetterOrigin, "Permanent")));
        Assert.Equal(1, Sum(CallbackMetrics.DeadLetters, (TelemetryTags.DeadLetterOrigin, "Poison")));
        // Each stored payment's first status, once (the retried callback's is counted when it is stored).
        Assert.Equal(2, Sum(CallbackMetrics.StatusChanges, (TelemetryTags.PaymentStatus, "pending")));

        // Lag: one measurement per stored callback. PayEx: every GET by resource and status.
        Assert.Equal(2, Count(CallbackMetrics.Lag));
        Assert.Equal(1, Count(CallbackMetrics.PayExDuration, (TelemetryTags.PayExResource, "payment"), (TelemetryTags.StatusCode, "503")));
        Assert.Equal(1, Count(CallbackMetrics.PayExDuration, (TelemetryTags.PayExResource, "payment"), (TelemetryTags.StatusCode, "404")));
        Assert.Equal(2, Count(CallbackMetrics.PayExDuration, (TelemetryTags.PayExResource, "payment"), (TelemetryTags.StatusCode, "200")));

        // The queue gauge, sampled each second, for the callback queue.
        await Eventually.TrueAsync(
            () => Task.FromResult(Metrics().Any(m => m.Name == CallbackMetrics.QueueDepth && m[TelemetryTags.Destination] == fixture.Storage.QueueName)),
            "the queue depth gauge", TimeSpan.FromSeconds(150));
    }
}
