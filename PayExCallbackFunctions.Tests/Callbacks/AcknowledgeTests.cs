using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Callbacks;

/// <summary>
/// The HTTP function on its own: what it enqueues and what it refuses, through the host. The queue
/// function is switched off as the host allows, so what was enqueued can be read back.
/// </summary>
public class AcknowledgeTests(AcknowledgeOnlyApp fixture) : IClassFixture<AcknowledgeOnlyApp>, IAsyncLifetime
{
    private const string P = Examples.DocsPaymentId;
    private const string T = Examples.DocsTransactionId;

    public async Task InitializeAsync() => await fixture.Storage.Queue.CreateIfNotExistsAsync();

    public async Task DisposeAsync() => await fixture.Storage.Queue.ClearMessagesAsync();

    private Task<List<string>> QueuedAsync() => TestStorage.PeekAsync(fixture.Storage.Queue);

    [Fact]
    public async Task An_accepted_callback_is_answered_200_with_its_id_and_enqueued_as_a_versioned_envelope()
    {
        var body = File.ReadAllText(RepoPaths.TestData("callback-v2-paymentorder-with-orderreference.json"));
        using var response = await fixture.PostCallbackAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var envelope = JsonNode.Parse(Assert.Single(await QueuedAsync()))!;
        Assert.Equal(id, envelope["id"]!.GetValue<string>());
        Assert.Equal(1, envelope["version"]!.GetValue<int>());
        Assert.Equal("PaymentOrder", envelope["shape"]!.GetValue<string>());
        Assert.Equal("/psp/paymentorders/c3ac1392-35b0-43a6-8f27-08dbce43b47c", envelope["paymentOrder"]!.GetValue<string>());
        Assert.Equal($"/psp/swish/payments/{P}/sales/{T}", envelope["transaction"]!.GetValue<string>());
        Assert.Equal(333333333, envelope["transactionNumber"]!.GetValue<long>());
        Assert.Equal("ABC123", envelope["orderReference"]!.GetValue<string>());
        Assert.Equal(body, envelope["rawBody"]!.GetValue<string>());
        var receivedAt = envelope["receivedAt"]!.GetValue<DateTimeOffset>();
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - receivedAt).TotalMinutes) < 5);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=\"UTF-8\"")]
    public async Task A_callback_with_charset_in_its_content_type_is_accepted(string contentType)
    {
        using var response = await fixture.PostCallbackAsync(File.ReadAllText(RepoPaths.TestData("callback-v1-nested-instrument.json")), contentType);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(await QueuedAsync());
    }

    [Fact]
    public async Task A_body_full_of_characters_json_would_escape_still_fits_a_queue_message()
    {
        // '<' and '\\' cost 6 and 2 bytes each once escaped by default JSON encoders.
        var body = File.ReadAllText(RepoPaths.TestData("callback-v1-nested-instrument.json")).TrimEnd().TrimEnd('}')
                   + $", \"note\": \"{new string('<', 8_000)}{string.Concat(Enumerable.Repeat("\\\\", 3_500))}\"}}";
        Assert.InRange(Encoding.UTF8.GetByteCount(body), 15_000, 20 * 1024);
        using var response = await fixture.PostCallbackAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(await QueuedAsync());
    }

    [Fact]
    public async Task A_body_within_the_limit_whose_envelope_would_not_fit_a_queue_message_is_refused_with_413()
    {
        // Characters outside the BMP are escaped to 12 bytes each, then base64 adds a third.
        var body = File.ReadAllText(RepoPaths.TestData("callback-v1-nested-instrument.json")).TrimEnd().TrimEnd('}')
                   + $", \"note\": \"{string.Concat(Enumerable.Repeat("😀", 4_900))}\"}}";
        Assert.InRange(Encoding.UTF8.GetByteCount(body), 19_000, 20 * 1024);
        using var response = await fixture.PostCallbackAsync(body);
        var problem = await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("once encoded", problem["detail"]!.GetValue<string>());
        Assert.Empty(await QueuedAsync());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task A_callback_that_is_not_json_is_refused_with_415(string? contentType)
    {
        using var response = await fixture.PostAsync("/api/payex/callbacks", Encoding.UTF8.GetBytes(File.ReadAllText(RepoPaths.TestData("callback-v1-nested-instrument.json"))), contentType);
        var problem = await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/json", problem["title"]!.GetValue<string>());
        Assert.Empty(await QueuedAsync());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413()
    {
        var callback = Examples.Json(File.ReadAllText(RepoPaths.TestData("callback-v1-nested-instrument.json")));
        callback["padding"] = new string('x', 21 * 1024);
        using var response = await fixture.PostCallbackAsync(callback.ToJsonString());
        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(await QueuedAsync());
    }

    [Theory]
    [InlineData(20 * 1024 + 1)]
    [InlineData(10 * 1024 * 1024)]
    [InlineData(50 * 1024 * 1024)]
    public async Task A_body_of_any_size_over_the_limit_is_refused_with_413_naming_the_one_limit(int size)
    {
        // The fixture's Callbacks__MaxBodyBytes is 20480. 50 MB is also over the worker's own server limit
        // (30 MB), which used to answer first, with its own number.
        using var response = await fixture.PostAsync("/api/payex/callbacks", new byte[size], "application/json");
        var problem = await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("The callback body is too large.", problem["title"]!.GetValue<string>());
        Assert.Equal("At most 20480 bytes are accepted.", problem["detail"]!.GetValue<string>());
        Assert.Empty(await QueuedAsync());
    }

    [Theory]
    [InlineData("{ not json", "$")]
    [InlineData("{}", "$")]
    [InlineData($$$"""{"payment": {"id": "https://evil.example/psp/creditcard/payments/{{{P}}}"}}""", "payment.id")]
    [InlineData($$$"""{"payment": {"id": "/psp/creditcard/payments/{{{P}}}"}, "transaction": {"id": "/psp/creditcard/payments/{{{T}}}/captures/{{{T}}}"}}""", "transaction.id")]
    [InlineData($$$"""{"paymentOrder": {"id": "/psp/paymentorders/{{{P}}}/../x"}}""", "paymentOrder.id")]
    public async Task A_malformed_callback_is_refused_with_400_naming_what_is_wrong(string body, string member)
    {
        using var response = await fixture.PostCallbackAsync(body);
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.False(string.IsNullOrWhiteSpace(problem["title"]!.GetValue<string>()));
        Assert.NotNull(problem["errors"]![member]);
        Assert.Empty(await QueuedAsync());
    }

    [Fact]
    public async Task An_absolute_url_on_the_configured_PayEx_host_is_enqueued_as_its_path()
    {
        var body = $$$"""{"payment": {"id": "{{{fixture.PayEx.BaseUrl.ToString().TrimEnd('/')}}}/psp/creditcard/payments/{{{P}}}", "number": 1}}""";
        using var response = await fixture.PostCallbackAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var envelope = JsonNode.Parse(Assert.Single(await QueuedAsync()))!;
        Assert.Equal($"/psp/creditcard/payments/{P}", envelope["payment"]!.GetValue<string>());
    }

    [Fact]
    public async Task Acknowledging_never_calls_PayEx()
    {
        using var response = await fixture.PostCallbackAsync(File.ReadAllText(RepoPaths.TestData("callback-v1-nested-instrument.json")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(fixture.PayEx.State.Requests);
    }

    private static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        return problem;
    }
}
