using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.PayEx;

/// <summary>The PayEx stand-in behaves as PayEx does, and can be scripted over HTTP by a developer.</summary>
public class PayExStandInTests : IAsyncLifetime
{
    private const string Payment = "/psp/creditcard/payments/0dac01c4-3c2e-4f32-31d2-08d8df0d48aa";
    private StandIn _standIn = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _standIn = await StandIn.StartAsync(seedExamples: true);
        _http = new HttpClient { BaseAddress = _standIn.BaseUrl };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _standIn.DisposeAsync();
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? token = StandIn.DefaultToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _http.SendAsync(request);
    }

    [Fact]
    public async Task It_serves_the_seeded_examples_to_the_right_token_only()
    {
        using var ok = await GetAsync(Payment);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(Payment, JsonNode.Parse(await ok.Content.ReadAsStringAsync())!["payment"]!["id"]!.GetValue<string>());

        using var wrong = await GetAsync(Payment, "other");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_typed_transaction_is_also_served_at_its_generic_path()
    {
        using var typed = await GetAsync("/psp/creditcard/payments/ac44c139-99d7-4f02-a10f-08db0362a155/captures/40e97bac-9387-42a9-b87e-08db03630610");
        using var generic = await GetAsync("/psp/creditcard/payments/ac44c139-99d7-4f02-a10f-08db0362a155/transactions/40e97bac-9387-42a9-b87e-08db03630610");
        Assert.Equal(HttpStatusCode.OK, typed.StatusCode);
        Assert.Equal(await typed.Content.ReadAsStringAsync(), await generic.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Resources_faults_and_latency_can_be_scripted_over_http()
    {
        var path = $"/psp/swish/payments/{Guid.NewGuid()}";
        using (var missing = await GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (var put = await _http.PutAsync($"/_standin/resources{path}", new StringContent($$$"""{"payment":{"id":"{{{path}}}","state":"Ready"}}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        using (var found = await GetAsync(path))
        {
            Assert.Contains("Ready", await found.Content.ReadAsStringAsync());
        }

        using (await _http.PostAsJsonAsync("/_standin/faults", new { path, status = 429, remaining = 1, retryAfterSeconds = 7 }))
        {
        }

        using (var limited = await GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), limited.Headers.RetryAfter?.Delta);
        }

        using (var again = await GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        var requests = await _http.GetFromJsonAsync<JsonArray>("/_standin/requests");
        Assert.Equal(4, requests!.Count(r => r!["pathAndQuery"]!.GetValue<string>() == path));
    }
}
