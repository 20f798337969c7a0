using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.PayExStandIn;
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
    public async Task The_faults_set_over_http_are_listed_with_their_defaults_and_uses_left_and_can_be_cleared()
    {
        var path = $"/psp/swish/payments/{Guid.NewGuid()}";
        using (await _http.PostAsJsonAsync("/_standin/faults", new { path }))
        {
        }

        // The defaults: one 503.
        var fault = Assert.Single((await _http.GetFromJsonAsync<JsonArray>("/_standin/faults"))!)!;
        Assert.Equal(path, fault["path"]!.GetValue<string>());
        Assert.Equal(503, fault["status"]!.GetValue<int>());
        Assert.Equal(1, fault["remaining"]!.GetValue<int>());

        using (var failed = await GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        Assert.Equal(0, (await _http.GetFromJsonAsync<JsonArray>("/_standin/faults"))!.Single()!["remaining"]!.GetValue<int>());

        using (await _http.PostAsJsonAsync("/_standin/faults", new { path, status = 500, remaining = 3 }))
        using (var cleared = await _http.DeleteAsync("/_standin/faults"))
        {
            Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        }

        Assert.Empty((await _http.GetFromJsonAsync<JsonArray>("/_standin/faults"))!);
        using (var missing = await GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
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

    [Fact]
    public async Task A_slow_answer_carries_the_state_at_its_arrival()
    {
        var path = $"/psp/swish/payments/{Guid.NewGuid()}";
        _standIn.State.Put(path, PaymentJson(path, 1));
        _standIn.State.AddFault(new Fault { Path = path, Status = 200, DelayMilliseconds = 3000 });

        var slow = GetAsync(path);
        await WaitUntilAsync(() => _standIn.State.Requests.Any(r => r.PathAndQuery == path));
        _standIn.State.Put(path, PaymentJson(path, 2));

        using (var fast = await GetAsync(path))
        {
            Assert.False(slow.IsCompleted, "the newer answer should arrive before the slow older one");
            Assert.Equal(HttpStatusCode.OK, fast.StatusCode);
            Assert.Equal(2, await NumberAsync(fast));
        }

        using var late = await slow;
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal(1, await NumberAsync(late));
        Assert.Equal(0, _standIn.State.InjectedFailures);
    }

    [Fact]
    public async Task Chaos_fails_gets_at_its_rate_and_counts_them()
    {
        _standIn.State.Chaos = new Chaos { Rate = 1, Statuses = [503], RetryAfterSeconds = 2 };
        for (var i = 0; i < 3; i++)
        {
            using var failed = await GetAsync(Payment);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), failed.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(3, _standIn.State.InjectedFailures);

        using (var unauthorized = await GetAsync(Payment, "other"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        }

        _standIn.State.Chaos = new Chaos { Rate = 0 };
        for (var i = 0; i < 20; i++)
        {
            using var ok = await GetAsync(Payment);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Equal(3, _standIn.State.InjectedFailures);
    }

    [Fact]
    public async Task Chaos_drops_the_connection_for_status_0()
    {
        _standIn.State.Chaos = new Chaos { Rate = 1, Statuses = [0] };
        await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(Payment));
        Assert.Equal(1, _standIn.State.InjectedFailures);
    }

    [Fact]
    public async Task Chaos_with_a_seed_fails_the_same_gets_each_run()
    {
        async Task<List<HttpStatusCode>> RunAsync()
        {
            _standIn.State.Chaos = new Chaos { Rate = 0.5, Statuses = [500, 502], Seed = 42 };
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 20; i++)
            {
                using var response = await GetAsync(Payment);
                statuses.Add(response.StatusCode);
            }

            return statuses;
        }

        var first = await RunAsync();
        var second = await RunAsync();
        Assert.Equal(first, second);
        Assert.Contains(HttpStatusCode.OK, first);
        Assert.Contains(HttpStatusCode.InternalServerError, first);
        Assert.Contains(HttpStatusCode.BadGateway, first);
        Assert.Equal(first.Count(s => s != HttpStatusCode.OK) * 2, _standIn.State.InjectedFailures);
    }

    [Fact]
    public async Task Scripted_faults_take_precedence_over_chaos_and_count_unless_200()
    {
        _standIn.State.Chaos = new Chaos { Rate = 1, Statuses = [503] };
        _standIn.State.AddFault(new Fault { Path = Payment, Status = 429 });
        _standIn.State.AddFault(new Fault { Path = Payment, Status = 200 });

        using (var limited = await GetAsync(Payment))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        }

        using (var ok = await GetAsync(Payment))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Equal(1, _standIn.State.InjectedFailures);

        using (var chaos = await GetAsync(Payment))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, chaos.StatusCode);
        }

        Assert.Equal(2, _standIn.State.InjectedFailures);
        _standIn.State.Reset();
        Assert.Null(_standIn.State.Chaos);
        Assert.Equal(0, _standIn.State.InjectedFailures);
    }

    [Fact]
    public async Task Chaos_can_be_scripted_over_http_and_shows_in_the_stats()
    {
        using (var invalid = await _http.PutAsJsonAsync("/_standin/chaos", new { rate = 2 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }

        using (var put = await _http.PutAsJsonAsync("/_standin/chaos", new { rate = 1, statuses = new[] { 502 } }))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            using var failed = await GetAsync(Payment);
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        var stats = await _http.GetFromJsonAsync<JsonObject>("/_standin/stats");
        Assert.Equal(2, stats!["requests"]!.GetValue<int>());
        Assert.Equal(2, stats["injectedFailures"]!.GetValue<int>());
        Assert.Equal(1, stats["maxConcurrentRequests"]!.GetValue<int>());

        using (var delete = await _http.DeleteAsync("/_standin/chaos"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using (var ok = await GetAsync(Payment))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        stats = await _http.GetFromJsonAsync<JsonObject>("/_standin/stats");
        Assert.Equal(3, stats!["requests"]!.GetValue<int>());
        Assert.Equal(2, stats["injectedFailures"]!.GetValue<int>());
    }

    private static string PaymentJson(string path, int number) => $$$"""{"payment":{"id":"{{{path}}}","number":{{{number}}}}}""";

    private static async Task<int> NumberAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["payment"]!["number"]!.GetValue<int>();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "timed out waiting for the condition");
            await Task.Delay(10);
        }
    }
}
