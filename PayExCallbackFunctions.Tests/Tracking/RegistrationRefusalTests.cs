using System.Net;
using System.Text;
using Azure.Data.Tables;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Tracking;

/// <summary>
/// What a registration refuses: anything but one PayEx payment order or payment on the configured host, and a reference
/// PayEx could not have. Each refusal is a 400 problem+json with the reason, stores nothing and asks PayEx nothing.
/// </summary>
public class RegistrationRefusalTests(TrackingApp fixture) : IClassFixture<TrackingApp>
{
    private static readonly Guid Id = Guid.Parse("0b8c2e4e-7a61-4a55-9f1d-3c2b1a0f9e8d");

    public static TheoryData<string, string, string> Refused => new()
    {
        { "application/json", "{}", "Give exactly one of paymentOrder and payment." },
        { "application/json", $$"""{"paymentOrder": "/psp/paymentorders/{{Id}}", "payment": "/psp/creditcard/payments/{{Id}}"}""", "Give exactly one of paymentOrder and payment." },
        { "application/json", $$"""{"paymentOrder": "/psp/creditcard/payments/{{Id}}"}""", "paymentOrder must be a payment order's path, /psp/paymentorders/<id>." },
        { "application/json", $$"""{"payment": "/psp/paymentorders/{{Id}}"}""", "payment must be a payment's path, /psp/<instrument>/payments/<id>." },
        { "application/json", $$"""{"paymentOrder": "https://api.example.com/psp/paymentorders/{{Id}}"}""", "paymentOrder is not on the configured PayEx host." },
        { "application/json", """{"paymentOrder": "/psp/paymentorders/549213"}""", "paymentOrder " },
        { "application/json", $$"""{"paymentOrder": "/psp/paymentorders/{{Id}}", "orderReference": "{{new string('x', 51)}}"}""", "orderReference must be 1-50 characters, none of them control characters, as PayEx allows." },
        { "application/json", $$"""{"paymentOrder": "/psp/paymentorders/{{Id}}", "orderReference": "549213\n<script>"}""", "orderReference must be 1-50 characters, none of them control characters, as PayEx allows." },
        { "application/json", $$"""{"paymentorder": "/psp/paymentorders/{{Id}}"}""", "Unknown property “paymentorder”: a registration has paymentOrder or payment, and optionally orderReference." },
        { "application/json", $$"""{"paymentOrder": 5}""", "paymentOrder must be given once, as a string." },
        { "application/json", "[]", "The body must be a JSON object such as {\"paymentOrder\": \"/psp/paymentorders/5adc265f-f87f-4313-577e-08d3dca1a26c\"}." },
        { "application/json", "{\"paymentOrder\": ", "The body is not JSON." },
        { "text/plain", $"/psp/paymentorders/{Id}", "The body must be application/json, not “text/plain; charset=utf-8”." },
        { "application/json", $$"""{"paymentOrder": "/psp/paymentorders/{{Id}}", "orderReference": "{{new string('x', 5000)}}"}""", "The body is longer than 4096 bytes." },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_registration_that_names_no_PayEx_payment_is_refused_with_the_reason_and_changes_nothing(string contentType, string body, string detail)
    {
        var requestsBefore = fixture.PayEx.State.Requests.Count;
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        if (contentType == "application/json")
        {
            content.Headers.ContentType!.CharSet = null;
        }

        using var response = await fixture.App.Http.PostAsync("/api/payments", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.StartsWith(detail, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await fixture.Storage.RowsAsync(Id));
        Assert.Empty(await EntriesAsync(fixture.Storage.Checks));
        Assert.Equal(requestsBefore, fixture.PayEx.State.Requests.Count);
    }

    // A table not created yet holds nothing.
    private static async Task<List<TableEntity>> EntriesAsync(TableClient table)
    {
        try
        {
            return await table.QueryAsync<TableEntity>().ToListAsync();
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
    }
}
