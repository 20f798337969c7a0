using PayExCallbackFunctions.Telemetry;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Telemetry;

/// <summary>
/// The exporters the settings choose, seen from the receiving end: the app as its own process,
/// telemetry sent to a collector on loopback that stands in for Application Insights or OTLP.
/// </summary>
public class ExporterTests
{
    private static async Task<(AppProcess App, string CallbackId)> RunOneCallbackAsync(TestStorage storage, StandIn payEx, Dictionary<string, string?> telemetry)
    {
        var settings = storage.Settings(payEx);
        foreach (var (key, value) in telemetry)
        {
            settings[key] = value;
        }

        var app = await AppProcess.StartAsync(settings);
        var callback = new ExampleCallback();
        callback.Serve(payEx);
        var id = await callback.AcknowledgeAsync(app);
        await storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
        return (app, id);
    }

    [Fact]
    public async Task With_an_Application_Insights_connection_string_spans_and_logs_reach_its_ingestion_endpoint()
    {
        await using var sink = new TelemetrySink();
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        var (app, id) = await RunOneCallbackAsync(storage, payEx, new()
        {
            [TelemetryServices.AzureMonitorSetting] = $"InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint={sink.BaseUrl}",
            // The app must not rely on the instrumentation redacting query values: that can be turned off.
            ["OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION"] = "true",
            // Nor on HttpClient redacting query values (.NET 9 and later): that too can be turned off.
            ["DOTNET_SYSTEM_NET_HTTP_DISABLEURIREDACTION"] = "true",
        });
        await using (app)
        {
            // One trace: the acknowledge and the processing of this callback, with the same operation id.
            var sent = await Eventually.GetAsync(() =>
            {
                var track = sink.BodiesAt("/v2.1/track");
                return Task.FromResult(track.Contains(CallbackTracing.ProcessSpan, StringComparison.Ordinal) && track.Contains(CallbackTracing.StoreSpan, StringComparison.Ordinal) ? track : null);
            }, "the processing span at the ingestion endpoint");
            Assert.Contains("Telemetry is exported to Application Insights", app.Output, StringComparison.Ordinal);
            Assert.Contains(CallbackTracing.AcknowledgeSpan, sent, StringComparison.Ordinal);
            Assert.Contains(id, sent, StringComparison.Ordinal);
            Assert.Contains("PayEx GET payment", sent, StringComparison.Ordinal);
            // Logs too, with the callback's id as a field.
            Assert.Contains("\"CallbackId\":\"" + id + "\"", sent, StringComparison.Ordinal);
            // The keys and the PayEx token stay out of what is exported: a dead-letter listing with the
            // admin key in its query, and a callback with the callback key in its query.
            using (var listed = await app.Raw.GetAsync($"/api/payex/deadletters?code={TestStorage.AdminKey}"))
            {
                Assert.True(listed.IsSuccessStatusCode);
            }

            using (var keyed = await app.Raw.PostAsync($"/api/payex/callbacks?code={TestStorage.CallbackKey}", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
            {
                Assert.Equal(System.Net.HttpStatusCode.BadRequest, keyed.StatusCode);
            }

            var withRequests = await Eventually.GetAsync(() =>
            {
                var track = sink.BodiesAt("/v2.1/track");
                return Task.FromResult(track.Contains("/api/payex/deadletters", StringComparison.Ordinal) && track.Contains("\"400\"", StringComparison.Ordinal) ? track : null);
            }, "the admin request and the refused callback at the ingestion endpoint");
            Assert.DoesNotContain(TestStorage.AdminKey, withRequests, StringComparison.Ordinal);
            Assert.DoesNotContain(TestStorage.CallbackKey, withRequests, StringComparison.Ordinal);
            Assert.DoesNotContain(payEx.Token, withRequests, StringComparison.Ordinal);
            // Outgoing calls are recorded without their query, where a storage SAS token would be.
            Assert.DoesNotContain("$filter=", withRequests, StringComparison.Ordinal);

            // The queue listener's polls are no telemetry of their own.
            // (The exporter must not put its own sampler in the app's place.)
            Assert.DoesNotContain($"\"GET /devstoreaccount1/{storage.QueueName}/messages\"", sent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task With_an_OTLP_endpoint_spans_metrics_and_logs_reach_it()
    {
        await using var sink = new TelemetrySink();
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        var (app, id) = await RunOneCallbackAsync(storage, payEx, new()
        {
            [TelemetryServices.OtlpSetting] = sink.BaseUrl.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            // Export within the test's patience rather than every minute.
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        });
        await using (app)
        {
            Assert.Contains("Telemetry is exported to OTLP", app.Output, StringComparison.Ordinal);
            await Eventually.TrueAsync(() => Task.FromResult(sink.BodiesAt("/v1/traces").Contains(CallbackTracing.StoreSpan, StringComparison.Ordinal)), "the table span at /v1/traces");
            Assert.Contains(id, sink.BodiesAt("/v1/traces"), StringComparison.Ordinal);
            await Eventually.TrueAsync(() => Task.FromResult(sink.BodiesAt("/v1/metrics").Contains(CallbackMetrics.Lag, StringComparison.Ordinal)), "the lag histogram at /v1/metrics");
            Assert.Contains(CallbackMetrics.Received, sink.BodiesAt("/v1/metrics"), StringComparison.Ordinal);
            await Eventually.TrueAsync(() => Task.FromResult(sink.BodiesAt("/v1/logs").Contains(id, StringComparison.Ordinal)), "a log line of the callback at /v1/logs");
        }
    }

    [Fact]
    public async Task Without_either_setting_the_app_says_at_start_that_telemetry_is_not_exported()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        var (app, _) = await RunOneCallbackAsync(storage, payEx, []);
        await using (app)
        {
            Assert.Contains("Telemetry is not exported", app.Output, StringComparison.Ordinal);
        }
    }
}
