using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PayExCallbackFunctions.PayExStandIn;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>The PayEx stand-in on a free loopback port, scripted through its state.</summary>
public sealed class StandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http;

    private StandIn(WebApplication app, Uri baseUrl, string token)
    {
        _app = app;
        BaseUrl = baseUrl;
        Token = token;
        State = app.Services.GetRequiredService<StandInState>();
        _http = new HttpClient { BaseAddress = baseUrl };
    }

    public Uri BaseUrl { get; }

    public StandInState State { get; }

    public const string DefaultToken = PayExStandIn.PayExStandIn.DefaultToken;

    /// <summary>The bearer token the stand-in accepts.</summary>
    public string Token { get; }

    /// <summary>The GETs PayEx received for paths under <paramref name="path"/>.</summary>
    public int RequestsFor(string path) => State.Requests.Count(r => r.PathAndQuery.StartsWith(path, StringComparison.OrdinalIgnoreCase));

    /// <summary>Starts the stand-in; on <paramref name="port"/> if given, else on a free one.</summary>
    public static async Task<StandIn> StartAsync(bool seedExamples = false, int port = 0, string token = DefaultToken)
    {
        var app = PayExStandIn.PayExStandIn.Build($"http://127.0.0.1:{port}", token, seedExamples: seedExamples);
        await app.StartAsync();
        return new StandIn(app, Loopback.AddressOf(app), token);
    }

    /// <summary>
    /// Creates a payment (v1) or payment order (v2, v3.0, v3.1) to move through its life with <see cref="StepAsync"/>;
    /// with <paramref name="callbackUrl"/>, each step's callback is POSTed there, as PayEx does.
    /// </summary>
    public async Task<StandInPayment> CreatePaymentAsync(string generation, long amount = 1500, string intent = "Authorization", string? orderReference = null, string instrument = "creditcard", string? payeeReference = null, Uri? callbackUrl = null)
    {
        using var response = await _http.PostAsJsonAsync("/_standin/payments", new { generation, amount, intent, orderReference, instrument, payeeReference, callbackUrl });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The stand-in refused the payment ({(int)response.StatusCode}): {body}");
        }

        var created = JsonNode.Parse(body)!;
        return new StandInPayment(
            Guid.Parse(created["id"]!.GetValue<string>()),
            created["paymentOrder"]?.GetValue<string>(),
            created["payment"]?.GetValue<string>());
    }

    /// <summary>
    /// Moves the payment on: authorize, pay, capture, cancel, reverse, fail or abort, for
    /// <paramref name="amount"/> or all that remains for the step. Throws if the stand-in refuses it.
    /// </summary>
    public async Task<StandInStep> StepAsync(Guid id, string step, long? amount = null)
    {
        using var response = amount is { } a
            ? await _http.PostAsJsonAsync($"/_standin/payments/{id:D}/{step}", new { amount = a })
            : await _http.PostAsync($"/_standin/payments/{id:D}/{step}", null);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The stand-in refused {step} ({(int)response.StatusCode}): {body}");
        }

        var answer = JsonNode.Parse(body)!;
        return new StandInStep(answer["callback"]!.ToJsonString(), answer["transaction"]?.GetValue<string>());
    }

    /// <summary>GETs a PayEx document as the app would (with the token), e.g. "/psp/paymentorders/{id}?$expand=paid".</summary>
    public async Task<JsonObject> GetDocumentAsync(string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {pathAndQuery} answered {(int)response.StatusCode}: {body}");
        }

        return JsonNode.Parse(body)!.AsObject();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
