using System.Net;
using System.Text;
using PayExCallbackFunctions.Access;
using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Security;

/// <summary>
/// Secrets (PayEx token, signing secrets, the storage account key, planted; the host's function and
/// master keys) never reach the logs of the host or the worker, even with every category at Trace,
/// while the app does everything that touches them: keyed and signed callbacks, admin calls, PayEx
/// GETs, PayEx refusing the token, rejected bodies and dead letters.
/// </summary>
public class SecretsInLogsTests
{
    private const string PayExToken = "planted-payex-token-Q7xv2RkP9w";
    private const string SigningSecret = "planted-signing-secret-Xp2Kd9Tm5Bn8Qa3Ls";
    private const string PreviousSigningSecret = "planted-previous-secret-Hy6Ue1Oj4Cz7Ir0Fw";

    [Fact]
    public async Task No_secret_or_personal_data_appears_in_the_logs_at_any_level()
    {
        await using var payEx = await StandIn.StartAsync(token: PayExToken);
        await using var storage = await TestStorage.CreateAsync();
        await using var telemetry = new TelemetrySink();
        var settings = storage.Settings(payEx);
        settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] = $"InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint={telemetry.BaseUrl}";
        settings["OTEL_TRACES_SAMPLER"] = "microsoft.fixed_percentage";
        settings["OTEL_TRACES_SAMPLER_ARG"] = "1.0";
        settings["Access__SigningSecret"] = SigningSecret;
        settings["Access__PreviousSigningSecret"] = PreviousSigningSecret;
        settings["Access__RequireSignature"] = "false";
        settings["Retry__MaxAttempts"] = "2";
        foreach (var category in new[] { "Default", "Microsoft", "Microsoft.AspNetCore", "Microsoft.Extensions.Http", "System.Net.Http.HttpClient", "Polly", "Azure.Core", "Azure" })
        {
            settings[$"Logging__LogLevel__{category}"] = "Trace";
        }

        settings["AzureFunctionsJobHost__logging__logLevel__default"] = "Trace";
        await using var app = await HostProcess.StartAsync(settings);
        var (CallbackKey, AdminKey) = (app.CallbackKey, app.MasterKey);
        using var made = await app.Raw.PostAsync($"/admin/functions/PayExCallback/keys/payex-old?code={Uri.EscapeDataString(AdminKey)}", null);
        var OldCallbackKey = System.Text.Json.Nodes.JsonNode.Parse(await made.Content.ReadAsStringAsync())!["value"]!.GetValue<string>();

        // A callback with the key in the query, on a URL signed for its order (the previous secret).
        var signed = new ExampleCallback();
        signed.Serve(payEx);
        var payment = Examples.Json(signed.Examples.Resource("payment-creditcard-callback-examples.json"));
        payment["payment"]!["payeeInfo"] = new System.Text.Json.Nodes.JsonObject { ["payeeReference"] = "ORDER-S", ["orderReference"] = "ORDER-S" };
        payment["payment"]!["payer"] = Payer();
        payEx.State.PutResource(payment.ToJsonString());
        var url = CallbackUrl.For(new Uri(app.BaseUrl, "/api/payex/callbacks"), "ORDER-S", PreviousSigningSecret, CallbackKey);
        Assert.Equal(HttpStatusCode.OK, (await app.Raw.PostAsync(url, Json(signed.Json))).StatusCode);

        // A callback with the old key in the header.
        var keyed = new ExampleCallback();
        keyed.Serve(payEx);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, HttpMethod.Post, "/api/payex/callbacks", OldCallbackKey, keyed.Json)).StatusCode);
        await storage.WaitForRowsAsync(signed.Payment, signed.RowKeys);
        await storage.WaitForRowsAsync(keyed.Payment, keyed.RowKeys);

        // A signed callback of another order: a dead letter whose reason names orders, not secrets.
        var mismatch = new ExampleCallback();
        mismatch.Serve(payEx);
        var mismatched = Examples.Json(mismatch.Examples.Resource("payment-creditcard-callback-examples.json"));
        mismatched["payment"]!["payeeInfo"] = new System.Text.Json.Nodes.JsonObject { ["payeeReference"] = "ORDER-M" };
        mismatched["payment"]!["payer"] = Payer();
        payEx.State.PutResource(mismatched.ToJsonString());
        var other = CallbackUrl.For(new Uri(app.BaseUrl, "/api/payex/callbacks"), "ORDER-X", SigningSecret, CallbackKey);
        Assert.Equal(HttpStatusCode.OK, (await app.Raw.PostAsync(other, Json(mismatch.Json))).StatusCode);

        // PayEx refuses the token: retried, then dead-lettered, with PayEx's 401 in the log.
        var refused = new ExampleCallback();
        refused.Serve(payEx);
        payEx.State.AddFault(new Fault { Path = refused.PaymentPath, Status = 401, Remaining = 100 });
        await refused.AcknowledgeAsync(app);

        // Refusals: a wrong key near the real one, a bad signature, a bad body, a bad content type.
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Raw.PostAsync($"/api/payex/callbacks?code={CallbackKey}x", Json("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Raw.PostAsync($"/api/payex/callbacks?code={CallbackKey}&order=O&sig={CallbackSignature.Sign("O", "not-the-secret-but-long-enough-0123456789")}", Json("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(app, HttpMethod.Post, "/api/payex/callbacks", CallbackKey, "{\"payment\": 1}")).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await app.Raw.PostAsync($"/api/payex/callbacks?code={CallbackKey}", new StringContent("x", Encoding.UTF8, "text/plain"))).StatusCode);

        // Requests the host's Kestrel cannot parse, which it logs as "bad request data" with what it read:
        // a request line with a raw space in its query, and a header line without a colon.
        var signature = CallbackSignature.Sign("My Order", SigningSecret);
        Assert.StartsWith("HTTP/1.1 400", await SendRawAsync(app, $"POST /api/payex/callbacks?order=My Order&sig={signature}&code={CallbackKey} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400", await SendRawAsync(app, $"POST /api/payex/callbacks HTTP/1.1\r\nHost: x\r\nx-functions-key {AdminKey}\r\nContent-Length: 0\r\n\r\n"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400", await SendRawAsync(app, $"POST /api/payex/callbacks HTTP/1.1\r\nHost: x\r\nx-functions-key: {OldCallbackKey}\0\r\nContent-Length: 0\r\n\r\n"), StringComparison.Ordinal);

        // Admin calls with the key as header and as code.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, HttpMethod.Get, "/api/payex/deadletters", AdminKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Raw.GetAsync($"/api/payex/deadletters?code={AdminKey}")).StatusCode);
        await Eventually.TrueAsync(async () => (await storage.DeadLettersAsync()).Count >= 2, "the dead letters");
        // Each is logged after its row is written, with its reason: scan those lines too.
        await Eventually.TrueAsync(() => Task.FromResult(app.Output.Split(" was dead-lettered (").Length > 2), "the dead letters' log lines");

        // The host exports its log in order, the worker's console among it: once the last admin call's
        // line is there, so is everything the host logged before it.
        const string AdminCallDone = "info: Microsoft.AspNetCore.Routing.EndpointMiddleware[1] Executed endpoint \\u0027PayExDeadLetters\\u0027";
        await Eventually.TrueAsync(
            () => Task.FromResult(telemetry.Received.Sum(r => r.Body.Split(AdminCallDone).Length - 1) >= 2),
            "the host's telemetry of the last admin call");
        var output = app.Output + "\n" + string.Join('\n', telemetry.Received.Select(r => r.Body));
        Assert.Contains("Sending HTTP request", output, StringComparison.Ordinal); // the worker's Trace and Debug did reach the log
        Assert.Contains("dbug: ", output, StringComparison.Ordinal); // and so did the host's
        var signedUrlSignature = System.Web.HttpUtility.ParseQueryString(url.Query)["sig"]!;
        foreach (var secret in new[] { signedUrlSignature, signature, PayExToken, CallbackKey, OldCallbackKey, AdminKey, SigningSecret, PreviousSigningSecret, Azurite.AccountKey, PayerEmail, PayerPhone, "Plantedfirstname" })
        {
            foreach (var form in new[] { secret, Uri.EscapeDataString(secret), Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)) })
            {
                Assert.False(output.Contains(form, StringComparison.Ordinal), $"A secret ({secret[..6]}...) was logged:\n{Around(output, form)}");
            }
        }
    }

    // Personal data in PayEx's answers: stored, never logged.
    private const string PayerEmail = "planted.payer@example.com";
    private const string PayerPhone = "+46739000001";

    private static System.Text.Json.Nodes.JsonObject Payer() => new() { ["email"] = PayerEmail, ["msisdn"] = PayerPhone, ["firstName"] = "Plantedfirstname" };

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<HttpResponseMessage> SendAsync(HostProcess app, HttpMethod method, string path, string key, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : Json(json) };
        request.Headers.Add("x-functions-key", key);
        return await app.Raw.SendAsync(request);
    }

    private static async Task<string> SendRawAsync(HostProcess app, string request)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(app.BaseUrl.Host, app.BaseUrl.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var answer = new byte[4096];
        var read = await stream.ReadAtLeastAsync(answer, 12, throwOnEndOfStream: false, timeout.Token);
        return Encoding.Latin1.GetString(answer, 0, read);
    }

    private static string Around(string output, string secret)
    {
        var at = output.IndexOf(secret, StringComparison.Ordinal);
        return output.Substring(Math.Max(0, at - 300), Math.Min(output.Length - Math.Max(0, at - 300), 600));
    }
}
