using System.Net;
using System.Text;
using OpenTelemetry.Metrics;
using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.Telemetry;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Telemetry;

/// <summary>The app's metrics count what happened to callbacks, read with an in-memory exporter.</summary>
[Collection(InProcessAppCollection.Name)]
public class MetricsTests
{
    private static long Sum(IReadOnlyList<MetricSnapshot> metrics, string name, params (string Key, object Value)[] tags) =>
        Points(metrics, name, tags).Sum(p => p.GetSumLong());

    private static IEnumerable<MetricPoint> Points(IReadOnlyList<MetricSnapshot> metrics, string name, (string Key, object Value)[] tags) =>
        metrics.Where(m => m.Name == name).SelectMany(m => m.MetricPoints).Where(p => tags.All(t => HasTag(p, t.Key, t.Value)));

    private static bool HasTag(MetricPoint point, string key, object value)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key && Equals(tag.Value?.ToString(), value.ToString()))
            {
                return true;
            }
        }

        return false;
    }

    private static async Task PostAsync(InProcessApp app, string json, HttpStatusCode expected)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await app.Http.PostAsync($"/api/payex/callbacks?code={TestStorage.CallbackKey}", content);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_count_received_rejected_processed_retried_and_dead_lettered_callbacks_and_measure_lag_and_PayEx()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        var settings = storage.Settings(payEx);
        settings["PayEx__QuickRetries"] = "0";
        settings["Telemetry__QueueSampleSeconds"] = "1";
        await using var app = new InProcessApp(settings);

        // Stored at once; stored after one retry; dead-lettered (PayEx does not know the payment); refused.
        var stored = new ExampleCallback();
        stored.Serve(payEx);
        var retried = new ExampleCallback();
        retried.Serve(payEx);
        payEx.State.AddFault(new Fault { Path = retried.PaymentPath, Status = 503, Remaining = 1 });
        var unknown = new ExampleCallback();
        await PostAsync(app, stored.Json, HttpStatusCode.OK);
        await PostAsync(app, retried.Json, HttpStatusCode.OK);
        await PostAsync(app, unknown.Json, HttpStatusCode.OK);
        await PostAsync(app, """{"payment":{"id":"not a path"}}""", HttpStatusCode.BadRequest);

        await storage.WaitForRowsAsync(stored.Payment, stored.RowKeys);
        await storage.WaitForRowsAsync(retried.Payment, retried.RowKeys);
        var metrics = await Eventually.GetAsync(() =>
        {
            var collected = app.CollectMetrics();
            return Task.FromResult(Sum(collected, CallbackMetrics.DeadLetters) == 1 && Sum(collected, CallbackMetrics.Processed) == 4 ? collected : null);
        }, "the dead letter and four attempts counted");

        Assert.Equal(3, Sum(metrics, CallbackMetrics.Received, (TelemetryTags.CallbackOutcome, "acknowledged"), (TelemetryTags.CallbackShape, "V1Nested")));
        Assert.Equal(1, Sum(metrics, CallbackMetrics.Received, (TelemetryTags.CallbackOutcome, "rejected"), (TelemetryTags.CallbackShape, "unknown")));
        Assert.Equal(1, Sum(metrics, CallbackMetrics.Rejected, (TelemetryTags.StatusCode, 400), (TelemetryTags.CallbackRejection, "invalid")));
        Assert.Equal(2, Sum(metrics, CallbackMetrics.Processed, (TelemetryTags.CallbackOutcome, "processed")));
        Assert.Equal(1, Sum(metrics, CallbackMetrics.Processed, (TelemetryTags.CallbackOutcome, "retried")));
        Assert.Equal(1, Sum(metrics, CallbackMetrics.Processed, (TelemetryTags.CallbackOutcome, "dead_lettered")));
        Assert.Equal(1, Sum(metrics, CallbackMetrics.Retries, (TelemetryTags.FailureKind, "Transient")));
        Assert.Equal(1, Sum(metrics, CallbackMetrics.DeadLetters, (TelemetryTags.DeadLetterOrigin, "Permanent")));

        // Lag: one measurement per stored callback, the retried one after its retry's delay.
        var lag = Points(metrics, CallbackMetrics.Lag, []).ToArray();
        Assert.Equal(2, lag.Sum(p => p.GetHistogramCount()));
        Assert.True(lag.Max(p => p.TryGetHistogramMinMaxValues(out _, out var max) ? max : 0) >= 1, "the retried callback waited at least its 1 s retry delay");

        // PayEx: every GET by resource and status, the 503 and the 404 included.
        Assert.Equal(1, Points(metrics, CallbackMetrics.PayExDuration, [(TelemetryTags.PayExResource, "payment"), (TelemetryTags.StatusCode, 503)]).Sum(p => p.GetHistogramCount()));
        Assert.Equal(1, Points(metrics, CallbackMetrics.PayExDuration, [(TelemetryTags.PayExResource, "payment"), (TelemetryTags.StatusCode, 404)]).Sum(p => p.GetHistogramCount()));
        Assert.Equal(2, Points(metrics, CallbackMetrics.PayExDuration, [(TelemetryTags.PayExResource, "payment"), (TelemetryTags.StatusCode, 200)]).Sum(p => p.GetHistogramCount()));

        // The queue gauges, sampled: the callback queue is empty again, its poison queue too.
        await Eventually.TrueAsync(() =>
        {
            var depth = Points(app.CollectMetrics(), CallbackMetrics.QueueDepth, [(TelemetryTags.Destination, storage.QueueName)]).ToArray();
            return Task.FromResult(depth.Length == 1 && depth[0].GetGaugeLastValueLong() == 0);
        }, "the queue depth gauge to read 0");
    }

    [Fact]
    public async Task The_queue_depth_gauge_reports_the_messages_waiting_on_the_poison_queue()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        var settings = storage.Settings(payEx);
        settings["Telemetry__QueueSampleSeconds"] = "1";
        await using var app = new InProcessApp(settings);

        // The poison queue's messages, hidden for a while, stay where they are (the callback queue's
        // are taken at once); a queue's count includes hidden messages, as a scheduled retry is.
        await storage.Poison.CreateIfNotExistsAsync();
        for (var i = 0; i < 3; i++)
        {
            await storage.Poison.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("{}")), visibilityTimeout: TimeSpan.FromMinutes(5));
        }

        await Eventually.TrueAsync(() =>
        {
            var depth = Points(app.CollectMetrics(), CallbackMetrics.QueueDepth, [(TelemetryTags.Destination, storage.Poison.Name)]).ToArray();
            return Task.FromResult(depth.Length == 1 && depth[0].GetGaugeLastValueLong() == 3);
        }, "the poison queue's depth to read 3");
    }

    [Fact]
    public async Task A_callback_that_cannot_be_queued_counts_as_unavailable()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        var settings = storage.Settings(payEx);
        // Storage that does not answer: nothing listens on this port.
        settings["AzureWebJobsStorage"] = storage.Azurite.ConnectionString.Replace($":{storage.Azurite.QueuePort}/", $":{FreePort.Next()}/", StringComparison.Ordinal);
        await using var app = new InProcessApp(settings);

        await PostAsync(app, new ExampleCallback().Json, HttpStatusCode.ServiceUnavailable);

        var metrics = app.CollectMetrics();
        Assert.Equal(1, Sum(metrics, CallbackMetrics.Received, (TelemetryTags.CallbackOutcome, "unavailable"), (TelemetryTags.CallbackShape, "V1Nested")));
        Assert.Equal(0, Sum(metrics, CallbackMetrics.Received, (TelemetryTags.CallbackOutcome, "acknowledged")));
    }

    [Fact]
    public async Task A_message_from_the_poison_queue_counts_as_a_poison_dead_letter()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        await using var app = new InProcessApp(storage.Settings(payEx));

        await storage.Poison.CreateIfNotExistsAsync();
        await storage.Poison.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("not an envelope")));

        await Eventually.TrueAsync(
            () => Task.FromResult(Sum(app.CollectMetrics(), CallbackMetrics.DeadLetters, (TelemetryTags.DeadLetterOrigin, "Poison")) == 1),
            "one Poison dead letter counted");
        Assert.Equal(0, Sum(app.CollectMetrics(), CallbackMetrics.Processed));
    }
}
