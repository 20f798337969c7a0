using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Access;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Security;

/// <summary>
/// The telemetry the app emits (every ActivitySource and Meter in its process: ASP.NET Core,
/// HttpClient, Azure SDK, the app's own) carries no secret: no key from ?code=, no token, no
/// signing secret, in any span name, tag, event or metric tag. The app runs in-process so that its
/// activities and measurements can be heard.
/// </summary>
[Collection(InProcessAppCollection.Name)]
public class SecretsInTelemetryTests
{
    private const string PayExToken = "telemetry-payex-token-Fq8Wn3Xc";
    private const string CallbackKey = "telemetry-callback-key-Zr5Hd2Vm";
    private const string AdminKey = "telemetry-admin-key-Kp7Tb4Ls";
    private const string SigningSecret = "telemetry-signing-secret-Ue9Jg6Ny1Qa4Wc7Xz";

    [Fact]
    public async Task No_secret_appears_in_spans_or_metrics()
    {
        var heard = new ConcurrentQueue<string>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => heard.Enqueue(Describe(activity)),
        };
        ActivitySource.AddActivityListener(activities);
        using var meters = new MeterListener { InstrumentPublished = (instrument, listener) => listener.EnableMeasurementEvents(instrument) };
        meters.SetMeasurementEventCallback<long>((instrument, _, tags, _) => heard.Enqueue(Describe(instrument, tags)));
        meters.SetMeasurementEventCallback<int>((instrument, _, tags, _) => heard.Enqueue(Describe(instrument, tags)));
        meters.SetMeasurementEventCallback<double>((instrument, _, tags, _) => heard.Enqueue(Describe(instrument, tags)));
        meters.Start();

        await using var payEx = await StandIn.StartAsync(token: PayExToken);
        await using var storage = await TestStorage.CreateAsync();
        var settings = storage.Settings(payEx);
        settings["Access__CallbackKeys"] = CallbackKey;
        settings["Access__AdminKey"] = AdminKey;
        settings["Access__SigningSecret"] = SigningSecret;
        // In-process, so that the listeners above hear its spans and measurements.
        await using var app = new InProcessApp(settings);
        var client = app.Http;

        var callback = new ExampleCallback();
        callback.Serve(payEx);
        var payment = Examples.Json(callback.Examples.Resource("payment-creditcard-callback-examples.json"));
        payment["payment"]!["payeeInfo"] = new JsonObject { ["payeeReference"] = "ORDER-T" };
        payEx.State.PutResource(payment.ToJsonString());
        var url = CallbackUrl.For(new Uri(client.BaseAddress!, "/api/payex/callbacks"), "ORDER-T", SigningSecret, CallbackKey);
        using (var response = await client.PostAsync(url, new StringContent(callback.Json, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var wrong = await client.PostAsync($"/api/payex/callbacks?code={CallbackKey}&order=O&sig=x", new StringContent("{}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        }

        using (var admin = await client.GetAsync($"/api/payex/deadletters?code={AdminKey}"))
        {
            Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        }

        await storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);

        var everything = string.Join('\n', heard);
        // The telemetry was heard: the inbound request and the GETs to PayEx.
        Assert.Contains("/api/payex/callbacks", everything, StringComparison.Ordinal);
        Assert.Contains("/psp/creditcard/payments/", everything, StringComparison.Ordinal);
        foreach (var secret in new[] { PayExToken, CallbackKey, AdminKey, SigningSecret, CallbackSignature.Sign("ORDER-T", SigningSecret) })
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }
    }

    private static string Describe(Activity activity) =>
        $"{activity.Source.Name} {activity.OperationName} {activity.DisplayName} "
        + string.Join(' ', activity.TagObjects.Select(t => $"{t.Key}={t.Value}"))
        + string.Join(' ', activity.Baggage.Select(b => $"{b.Key}={b.Value}"))
        + string.Join(' ', activity.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}")));

    private static string Describe(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var text = new StringBuilder($"{instrument.Meter.Name} {instrument.Name}");
        foreach (var tag in tags)
        {
            text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
        }

        return text.ToString();
    }
}
