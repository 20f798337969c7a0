using System.Net;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Api;

/// <summary>
/// What the payments API refuses, under the host checking keys as in Azure: keys other than its own (the
/// callback's above all), malformed ids and references, unknown payments. Each refusal is problem+json and asks
/// PayEx nothing.
/// </summary>
public class PaymentsApiRefusalTests(PaymentsApiApp fixture) : IClassFixture<PaymentsApiApp>
{
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        return await fixture.App.Raw.SendAsync(request);
    }

    private async Task<Guid> AuthorizedPaymentAsync()
    {
        var order = await fixture.PayEx.CreatePaymentAsync("v3.1", orderReference: "refusals");
        await fixture.StepAndPostAsync(order.Id, "authorize");
        await fixture.WaitForStatusAsync(order.Id, "authorized");
        return order.Id;
    }

    [Fact]
    public async Task The_callback_key_does_not_open_the_payments_API_and_the_payments_key_opens_nothing_else()
    {
        var id = await AuthorizedPaymentAsync();

        foreach (var (method, path) in new[] { (HttpMethod.Get, $"/api/payments/{id}"), (HttpMethod.Get, "/api/payments?orderReference=refusals"), (HttpMethod.Post, $"/api/payments/{id}/refresh"), (HttpMethod.Post, "/api/payments"), (HttpMethod.Delete, $"/api/payments/{id}") })
        {
            using var withCallbackKey = await SendAsync(method, path, fixture.App.CallbackKey);
            Assert.Equal(HttpStatusCode.Unauthorized, withCallbackKey.StatusCode);
            using var withoutKey = await SendAsync(method, path, null);
            Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        }

        using var withOwnKey = await SendAsync(HttpMethod.Get, $"/api/payments/{id}", fixture.App.PaymentsKey);
        Assert.Equal(HttpStatusCode.OK, withOwnKey.StatusCode);
        using var asCode = await SendAsync(HttpMethod.Get, $"/api/payments/{id}?code={Uri.EscapeDataString(fixture.App.PaymentsKey)}", null);
        Assert.Equal(HttpStatusCode.OK, asCode.StatusCode);

        // The order system's key is no callback key and no admin key.
        foreach (var (method, path) in new[] { (HttpMethod.Post, "/api/payex/callbacks"), (HttpMethod.Get, "/api/payex/deadletters"), (HttpMethod.Get, "/api/payex/status/") })
        {
            using var response = await SendAsync(method, path, fixture.App.PaymentsKey);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    public static TheoryData<string, string, HttpStatusCode, string> Refused => new()
    {
        { "GET", "/api/payments/not-a-guid", HttpStatusCode.BadRequest, "GUID" },
        { "GET", "/api/payments/5adc265f-f87f-4313-577e-08d3dca1a26", HttpStatusCode.BadRequest, "GUID" },
        { "GET", "/api/payments/{5adc265f-f87f-4313-577e-08d3dca1a26c}", HttpStatusCode.BadRequest, "GUID" },
        { "GET", "/api/payments/5adc265ff87f4313577e08d3dca1a26c", HttpStatusCode.BadRequest, "GUID" },
        { "POST", "/api/payments/not-a-guid/refresh", HttpStatusCode.BadRequest, "GUID" },
        { "GET", "/api/payments?orderReference=" + new string('x', 51), HttpStatusCode.BadRequest, "1-50 characters" },
        { "GET", "/api/payments?payeeReference=" + new string('7', 51), HttpStatusCode.BadRequest, "1-50 characters" },
        { "GET", "/api/payments?orderReference=", HttpStatusCode.BadRequest, "1-50 characters" },
        { "GET", "/api/payments?orderReference=a%0Ab", HttpStatusCode.BadRequest, "control characters" },
        { "GET", "/api/payments?orderReference=a&payeeReference=b", HttpStatusCode.BadRequest, "exactly one" },
        { "GET", "/api/payments?orderReference=a&orderReference=b", HttpStatusCode.BadRequest, "exactly one" },
        { "GET", "/api/payments", HttpStatusCode.BadRequest, "exactly one" },
        { "GET", "/api/payments/0f1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b", HttpStatusCode.NotFound, "No payment 0f1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b is stored" },
        { "POST", "/api/payments/0f1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b/refresh", HttpStatusCode.NotFound, "Only a payment the app has stored" },
        { "POST", "/api/payments/0f1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b", HttpStatusCode.NotFound, "The payments API has" },
        { "GET", "/api/payments/0f1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b/refresh", HttpStatusCode.NotFound, "The payments API has" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Bad_input_is_refused_with_a_problem_and_asks_PayEx_nothing(string method, string path, HttpStatusCode expected, string detail)
    {
        var before = fixture.PayEx.State.Requests.Count;

        using var response = await SendAsync(new HttpMethod(method), path, fixture.App.PaymentsKey);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await PaymentsApiClient.ReadProblemAsync(response);
        Assert.Equal((int)expected, problem!["status"]!.GetValue<int>());
        Assert.Contains(detail, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before, fixture.PayEx.State.Requests.Count);
    }
}
