using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Access;

/// <summary>
/// The host checks the keys: x-functions-key or ?code=, any key of the callback function (rotation),
/// a host key or the master key. Keys are made and revoked as an operator would, with the admin API.
/// </summary>
public class FunctionKeyTests(RunningApp fixture) : IClassFixture<RunningApp>
{
    private async Task<HttpResponseMessage> PostAsync(ExampleCallback callback, string path, string? headerKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(callback.Json, Encoding.UTF8, "application/json"),
        };
        if (headerKey is not null)
        {
            request.Headers.Add("x-functions-key", headerKey);
        }

        return await fixture.App.Raw.SendAsync(request);
    }

    private async Task<string> MakeKeyAsync(string scope, string name)
    {
        using var made = await fixture.App.Raw.PostAsync($"/admin/{scope}/keys/{name}?code={Uri.EscapeDataString(fixture.App.MasterKey)}", null);
        Assert.True(made.IsSuccessStatusCode, $"the admin API made no key: {(int)made.StatusCode}");
        return JsonNode.Parse(await made.Content.ReadAsStringAsync())!["value"]!.GetValue<string>();
    }

    private async Task AssertAcceptedAsync(string path, string? headerKey)
    {
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);

        using var response = await PostAsync(callback, path, headerKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
    }

    [Fact]
    public Task The_callback_key_in_the_header_is_accepted() => AssertAcceptedAsync("/api/payex/callbacks", fixture.App.CallbackKey);

    [Fact]
    public Task The_callback_key_as_code_is_accepted() =>
        AssertAcceptedAsync($"/api/payex/callbacks?code={Uri.EscapeDataString(fixture.App.CallbackKey)}", null);

    [Fact]
    public Task The_master_key_is_accepted() => AssertAcceptedAsync("/api/payex/callbacks", fixture.App.MasterKey);

    [Fact]
    public async Task A_host_key_is_accepted() => await AssertAcceptedAsync("/api/payex/callbacks", await MakeKeyAsync("host", "callbacks-everywhere"));

    [Fact]
    public async Task A_second_key_of_the_function_is_accepted_beside_the_first_and_a_revoked_key_is_refused()
    {
        var next = await MakeKeyAsync("functions/PayExCallback", "payex-next");
        await AssertAcceptedAsync("/api/payex/callbacks", next);
        await AssertAcceptedAsync("/api/payex/callbacks", fixture.App.CallbackKey);

        using var revoked = await fixture.App.Raw.DeleteAsync($"/admin/functions/PayExCallback/keys/payex-next?code={Uri.EscapeDataString(fixture.App.MasterKey)}");
        Assert.True(revoked.IsSuccessStatusCode, $"the admin API did not revoke the key: {(int)revoked.StatusCode}");

        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);
        using var response = await PostAsync(callback, "/api/payex/callbacks", next);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    public static TheoryData<string, string?, string?> RefusedKeys => new()
    {
        { "no key", null, null },
        { "empty code", "", null },
        { "wrong key", null, "wrong-key-wrong-key" },
        { "a prefix of the key", null, "prefix" },
        { "the key with more after it", null, "suffix" },
    };

    [Theory]
    [MemberData(nameof(RefusedKeys))]
    public async Task A_callback_without_a_valid_key_is_refused_with_401_and_nothing_is_fetched_or_recorded(string name, string? code, string? headerKey)
    {
        Assert.NotEmpty(name);
        var key = fixture.App.CallbackKey;
        headerKey = headerKey switch
        {
            "prefix" => key[..^1],
            "suffix" => key + "x",
            _ => headerKey,
        };
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);

        using var response = await PostAsync(callback, code is null ? "/api/payex/callbacks" : $"/api/payex/callbacks?code={code}", headerKey);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(key, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A later callback with a key is stored; had the refused one been queued, it would have been fetched by then.
        var sentinel = new ExampleCallback();
        sentinel.Serve(fixture.PayEx);
        await sentinel.AcknowledgeAsync(fixture.App);
        await fixture.Storage.WaitForRowsAsync(sentinel.Payment, sentinel.RowKeys);
        Assert.Equal(0, fixture.PayEx.RequestsFor(callback.PaymentPath));
        // Strangers do not get to write to the rejected-callbacks table.
        Assert.Empty(await fixture.Storage.RejectedAsync());
    }

    [Fact]
    public async Task The_callback_key_does_not_open_the_admin_functions()
    {
        foreach (var path in new[] { "/api/payex/deadletters", "/api/payex/status/" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("x-functions-key", fixture.App.CallbackKey);
            using var response = await fixture.App.Raw.SendAsync(request);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task The_master_key_opens_the_admin_functions()
    {
        using var response = await fixture.App.Http.GetAsync("/api/payex/deadletters");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
