using System.Net;
using System.Text;
using PayExCallbackFunctions.Access;
using PayExCallbackFunctions.Telemetry;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Telemetry;

/// <summary>
/// The exporters the settings choose, seen from the receiving end: host and worker send to a
/// collector on loopback that stands in for Application Insights and OTLP, and no secret goes with it.
/// </summary>
public class ExporterTests(TelemetryApp fixture) : IClassFixture<TelemetryApp>
{
    private const string SigningSecret = TelemetryApp.SigningSecret;

    [Fact]
    public async Task Spans_metrics_and_logs_reach_Application_Insights_and_OTLP_and_no_key_token_or_secret_goes_with_them()
    {
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);
        var payment = Examples.Json(callback.Examples.Resource("payment-creditcard-callback-examples.json"));
        payment["payment"]!["payeeInfo"] = new System.Text.Json.Nodes.JsonObject { ["payeeReference"] = "ORDER-T" };
        fixture.PayEx.State.PutResource(payment.ToJsonString());
        // Keys in the query, a signed URL, an admin call: everything that could put a secret on a span.
        var signedKey = await AcknowledgeWithKeyInQueryAsync(callback);
        using (var admin = await fixture.App.Raw.GetAsync($"/api/payex/deadletters?code={Uri.EscapeDataString(fixture.App.MasterKey)}"))
        {
            Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        }

        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
        Assert.Contains("Telemetry is exported to Application Insights and OTLP", fixture.App.Output, StringComparison.Ordinal);

        await Eventually.TrueAsync(() => Task.FromResult(fixture.Sink.BodiesAt("/v1/traces").Contains(CallbackTracing.StoreSpan, StringComparison.Ordinal)), "the table span at /v1/traces");
        await Eventually.TrueAsync(() => Task.FromResult(fixture.Sink.BodiesAt("/v1/metrics").Contains(CallbackMetrics.Lag, StringComparison.Ordinal)), "the lag histogram at /v1/metrics");
        await Eventually.TrueAsync(() => Task.FromResult(fixture.Sink.BodiesAt("/v1/logs").Contains("Acknowledged callback", StringComparison.Ordinal)), "a log line at /v1/logs");
        // At the Application Insights endpoint: the worker's spans and logs, and the host's own requests.
        await Eventually.TrueAsync(() =>
        {
            var items = Exported.From(fixture.Sink);
            return Task.FromResult(items.Any(i => i.Name == CallbackTracing.StoreSpan) && items.Any(i => i.Type == "MessageData")
                && items.Any(i => i.Type == "RequestData" && i.Name.StartsWith("GET /admin/host/", StringComparison.Ordinal)));
        }, "spans, logs and the host's requests at the Application Insights endpoint", TimeSpan.FromSeconds(60));

        var everything = string.Join('\n', fixture.Sink.Received.Select(r => r.Body));
        foreach (var secret in new[] { fixture.App.CallbackKey, fixture.App.MasterKey, fixture.PayEx.Token, SigningSecret, signedKey, Azurite.AccountKey })
        {
            foreach (var form in new[] { secret, Uri.EscapeDataString(secret) })
            {
                Assert.False(everything.Contains(form, StringComparison.Ordinal), $"A secret ({secret[..6]}...) was exported");
            }
        }
    }

    private async Task<string> AcknowledgeWithKeyInQueryAsync(ExampleCallback callback)
    {
        var url = $"/api/payex/callbacks?code={Uri.EscapeDataString(fixture.App.CallbackKey)}&order=ORDER-T&sig={CallbackSignature.Sign("ORDER-T", SigningSecret)}";
        using var response = await fixture.App.Raw.PostAsync(url, new StringContent(callback.Json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return CallbackSignature.Sign("ORDER-T", SigningSecret);
    }

    [Fact]
    public async Task Without_either_setting_the_app_says_at_start_that_telemetry_is_not_exported()
    {
        await using var app = await RunningApp.StartAsync(_ => { });

        await app.App.WaitForOutputAsync("Telemetry is not exported");
    }
}
