using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Callbacks;

/// <summary>
/// A callback that passed authentication but not validation is kept in the rejected-callbacks
/// table, truncated, with its reason and the client's address, so that a format change by PayEx
/// is noticed. It is not enqueued.
/// </summary>
public class RejectedCallbackTests(RunningApp fixture) : IClassFixture<RunningApp>
{
    private async Task<(HttpStatusCode Status, string? CallbackId)> PostAsync(byte[] body, string? contentType = "application/json")
    {
        using var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await fixture.App.Http.PostAsync("/api/payex/callbacks", content);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        return (response.StatusCode, problem?["callbackId"]?.GetValue<string>());
    }

    private Task LoggedAsync(string line) => fixture.App.WaitForOutputAsync(line);

    private async Task<TableEntity> RowAsync(string callbackId) =>
        Assert.Single(await fixture.Storage.RejectedAsync(), r => r.GetString("CallbackId") == callbackId);

    [Fact]
    public async Task A_body_that_fails_validation_is_recorded_with_reason_errors_address_and_body()
    {
        var body = """{"payment": {"id": "/psp/creditcard/payments/../../admin", "number": 1}}""";

        var sentOn = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd");
        var (status, id) = await PostAsync(Encoding.UTF8.GetBytes(body));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var row = await RowAsync(Assert.IsType<string>(id));
        // The day it was refused (the day after, if midnight passed meanwhile).
        Assert.Contains(row.PartitionKey, new[] { sentOn, DateTimeOffset.UtcNow.ToString("yyyy-MM-dd") });
        Assert.Equal(400, row.GetInt32("Status"));
        Assert.Equal("The callback body names no valid PayEx resource.", row.GetString("Reason"));
        Assert.Contains("payment.id", row.GetString("Errors"), StringComparison.Ordinal);
        Assert.Equal("127.0.0.1", row.GetString("ClientAddress"));
        Assert.Equal("application/json", row.GetString("ContentType"));
        Assert.Equal(body, row.GetString("Body"));
        Assert.Equal(Encoding.UTF8.GetByteCount(body), row.GetInt64("BodyLength"));
        Assert.False(row.GetBoolean("BodyTruncated"));
        Assert.Empty(await TestStorage.PeekAsync(fixture.Storage.Queue));
        await LoggedAsync($"Rejected callback {id} from 127.0.0.1 with 400: The callback body names no valid PayEx resource. In error: payment.id. Recorded in the rejected-callbacks table.");
    }

    [Fact]
    public async Task A_body_that_is_not_UTF8_is_kept_as_its_bytes()
    {
        byte[] body = [.. """{"payment": "/psp/creditcard/payments/"""u8, 0xC3, 0x28, .. "\"}"u8];

        var (status, id) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var row = await RowAsync(id!);
        Assert.Equal(Convert.ToBase64String(body), row.GetString("BodyBase64"));
        Assert.Null(row.GetString("Body"));
    }

    [Fact]
    public async Task A_huge_body_is_refused_with_413_and_kept_only_in_part()
    {
        var body = Encoding.UTF8.GetBytes("{\"payment\": \"" + new string('x', 10 * 1024 * 1024) + "\"}");

        var (status, id) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        var row = await RowAsync(id!);
        Assert.Equal(413, row.GetInt32("Status"));
        Assert.Equal(body.Length, row.GetInt64("BodyLength"));
        Assert.True(row.GetBoolean("BodyTruncated"));
        Assert.InRange(row.GetString("Body")!.Length, 1, 8 * 1024);
        Assert.StartsWith("{\"payment\": \"xxx", row.GetString("Body"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_of_the_wrong_content_type_is_recorded_with_415()
    {
        var (status, id) = await PostAsync("payment=1"u8.ToArray(), "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        var row = await RowAsync(id!);
        Assert.Equal("application/x-www-form-urlencoded", row.GetString("ContentType"));
        Assert.Equal("payment=1", row.GetString("Body"));
        // No empty "In error" part where nothing in the body was looked at.
        await LoggedAsync($"Rejected callback {id} from 127.0.0.1 with 415: The callback must be sent as application/json in UTF-8. Recorded in the rejected-callbacks table.");
    }

    [Fact]
    public async Task A_body_with_broken_chunked_framing_is_refused_and_nothing_is_queued()
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(fixture.App.BaseUrl.Host, fixture.App.BaseUrl.Port);
        await using var stream = tcp.GetStream();
        var request = "POST /api/payex/callbacks HTTP/1.1\r\n"
                      + $"Host: {fixture.App.BaseUrl.Authority}\r\n"
                      + $"x-functions-key: {HostProcess.TestCallbackKey}\r\n"
                      + "Content-Type: application/json\r\n"
                      + "Transfer-Encoding: chunked\r\n\r\n"
                      + "zz\r\n{\"payment\": 1}\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));

        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync();
        var answer = await reader.ReadToEndAsync();

        // The host reads the body before the worker sees it, and answers a broken one itself (500, empty).
        Assert.StartsWith("HTTP/1.1 ", statusLine, StringComparison.Ordinal);
        Assert.False(statusLine!.StartsWith("HTTP/1.1 2", StringComparison.Ordinal), statusLine);
        Assert.Empty(await TestStorage.PeekAsync(fixture.Storage.Queue));
    }

    [Fact]
    public async Task An_accepted_callback_is_not_recorded_as_rejected()
    {
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);
        var id = await callback.AcknowledgeAsync(fixture.App);

        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
        Assert.DoesNotContain(await fixture.Storage.RejectedAsync(), r => r.GetString("CallbackId") == id);
    }
}

/// <summary>What a caller holding a key can make the app store is bounded: repeats count up one row, and a day holds at most so many.</summary>
public class RejectedCallbackBoundTests
{
    private static async Task<string> PostAsync(HostProcess app, string body)
    {
        using var response = await app.Http.PostAsync("/api/payex/callbacks", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        return problem!["callbackId"]!.GetValue<string>();
    }

    [Fact]
    public async Task The_same_bad_body_posted_many_times_at_once_is_one_row_that_counts_them()
    {
        await using var fixture = await RunningApp.StartAsync(_ => { });
        var junk = """{"payment": {"id": "/psp/creditcard/payments/not-a-guid", "number": 1}, "junk": "###JUNK###"}""".Replace("###JUNK###", new string('j', 8000), StringComparison.Ordinal);

        var ids = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => PostAsync(fixture.App, junk)));

        var row = Assert.Single(await fixture.Storage.RejectedAsync());
        Assert.Equal(40, row.GetInt32("Count"));
        Assert.Contains(row.GetString("CallbackId"), ids);
        Assert.Contains(row.GetString("LastCallbackId"), ids);
        Assert.Equal(junk, row.GetString("Body"));
        Assert.True(row.GetDateTimeOffset("LastReceivedAt") >= row.GetDateTimeOffset("ReceivedAt"));
    }

    [Fact]
    public async Task A_day_keeps_at_most_the_configured_number_of_distinct_rejections_and_still_counts_their_repeats()
    {
        await using var fixture = await RunningApp.StartAsync(s => s["Callbacks__MaxRejectedPerDay"] = "3");
        static string Bad(int n) => $"{{\"payment\": {{\"id\": \"/psp/creditcard/payments/not-a-guid-{n}\", \"number\": 1}}}}";

        var first = await PostAsync(fixture.App, Bad(0));
        foreach (var n in Enumerable.Range(1, 7))
        {
            await PostAsync(fixture.App, Bad(n));
        }

        await PostAsync(fixture.App, Bad(0));

        var rows = await fixture.Storage.RejectedAsync();
        Assert.Equal(3, rows.Count);
        var repeated = Assert.Single(rows, r => r.GetString("CallbackId") == first);
        Assert.Equal(2, repeated.GetInt32("Count"));
        await fixture.App.WaitForOutputAsync("holds 3 distinct rejections");
    }
}

/// <summary>Recording a rejection is best effort: with storage down, the caller still gets its 4xx, promptly.</summary>
public class RejectedCallbackStorageDownTests
{
    [Fact]
    public async Task With_storage_unreachable_a_bad_callback_is_still_answered_400()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync(azurite);
        await using var app = await HostProcess.StartAsync(storage.Settings(payEx));
        // The host reads a function's keys from storage at its first request, then keeps them; storage goes away after that.
        using (var first = await app.Http.PostAsync("/api/payex/callbacks", new StringContent("""{"payment": 1}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        }

        azurite.Stop();

        using var content = new StringContent("""{"payment": true}""", Encoding.UTF8, "application/json");
        using var response = await app.Http.PostAsync("/api/payex/callbacks", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await app.WaitForOutputAsync("Could not record rejected callback");
    }
}

/// <summary>Rejected callbacks are kept for Callbacks__RejectedRetentionDays, then removed, so the table cannot grow without end.</summary>
public class RejectedCallbackRetentionTests
{
    [Fact]
    public async Task Rejected_callbacks_older_than_the_retention_are_removed_at_start_and_newer_ones_kept()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        await storage.Rejected.CreateIfNotExistsAsync();
        var today = DateTimeOffset.UtcNow;
        var days = new[] { today.AddDays(-400), today.AddDays(-8), today.AddDays(-6), today };
        foreach (var day in days)
        {
            for (var i = 0; i < 3; i++)
            {
                await storage.Rejected.AddEntityAsync(new TableEntity(day.ToString("yyyy-MM-dd"), $"row-{i}") { ["Status"] = 400 });
            }
        }

        var settings = storage.Settings(payEx);
        settings["Callbacks__RejectedRetentionDays"] = "7";
        await using var app = await HostProcess.StartAsync(settings);

        await Eventually.TrueAsync(async () => (await storage.RejectedAsync()).Count == 6, "the old rejected callbacks to be removed");
        var left = (await storage.RejectedAsync()).Select(r => r.PartitionKey).Distinct().Order().ToArray();
        Assert.Equal([today.AddDays(-6).ToString("yyyy-MM-dd"), today.ToString("yyyy-MM-dd")], left);
    }
}
