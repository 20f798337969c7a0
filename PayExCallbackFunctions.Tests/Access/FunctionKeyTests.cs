using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Access;

/// <summary>
/// Standalone, the app checks function keys as the Functions host would: x-functions-key or
/// ?code=, any of the configured callback keys (rotation), or the admin key.
/// </summary>
public class FunctionKeyTests(FunctionKeyTests.App fixture) : IClassFixture<FunctionKeyTests.App>
{
    public const string NewKey = "rotated-callback-key-89ab";

    public sealed class App() : RunningApp(customHandler: false, new()
    {
        ["Access__CallbackKeys"] = $"{TestStorage.CallbackKey}, {NewKey}",
    });

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

    public static TheoryData<string, string, string?> AcceptedKeys => new()
    {
        { "callback key in the header", "/api/payex/callbacks", TestStorage.CallbackKey },
        { "callback key as code", $"/api/payex/callbacks?code={TestStorage.CallbackKey}", null },
        { "rotated-in key", "/api/payex/callbacks", NewKey },
        { "admin key, as the host's master key", "/api/payex/callbacks", TestStorage.AdminKey },
        { "the header wins over a wrong code", "/api/payex/callbacks?code=wrong-key-wrong-key", TestStorage.CallbackKey },
    };

    [Theory]
    [MemberData(nameof(AcceptedKeys))]
    public async Task A_callback_with_a_valid_key_is_acknowledged_and_processed(string name, string path, string? headerKey)
    {
        Assert.NotEmpty(name);
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);

        using var response = await PostAsync(callback, path, headerKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
    }

    public static TheoryData<string, string, string?, string> RefusedKeys => new()
    {
        { "no key", "/api/payex/callbacks", null, "A key is required." },
        { "empty code", "/api/payex/callbacks?code=", null, "The key is not valid." },
        { "wrong key", "/api/payex/callbacks", "wrong-key-wrong-key", "The key is not valid." },
        { "a prefix of the key", "/api/payex/callbacks", TestStorage.CallbackKey[..^1], "The key is not valid." },
        { "the key with more after it", "/api/payex/callbacks", TestStorage.CallbackKey + "x", "The key is not valid." },
        { "two keys in one", "/api/payex/callbacks", $"{TestStorage.CallbackKey},{NewKey}", "The key is not valid." },
        { "wrong case", "/api/payex/callbacks", TestStorage.CallbackKey.ToUpperInvariant(), "The key is not valid." },
    };

    [Theory]
    [MemberData(nameof(RefusedKeys))]
    public async Task A_callback_without_a_valid_key_is_refused_with_401_and_nothing_is_fetched_or_recorded(string name, string path, string? headerKey, string title)
    {
        Assert.NotEmpty(name);
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);

        using var response = await PostAsync(callback, path, headerKey);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(title, problem!["title"]!.GetValue<string>());
        Assert.DoesNotContain(TestStorage.CallbackKey, problem.ToJsonString(), StringComparison.Ordinal);

        // A later callback with a key is stored; had the refused one been queued, it would have been fetched by then.
        var sentinel = new ExampleCallback();
        sentinel.Serve(fixture.PayEx);
        await sentinel.AcknowledgeAsync(fixture.App);
        await fixture.Storage.WaitForRowsAsync(sentinel.Payment, sentinel.RowKeys);
        Assert.Equal(0, fixture.PayEx.RequestsFor(callback.PaymentPath));
        // Strangers do not get to write to the rejected-callbacks table.
        Assert.Empty(await fixture.Storage.RejectedAsync());
    }

    [Theory]
    [InlineData(TestStorage.CallbackKey)]
    [InlineData(NewKey)]
    public async Task A_callback_key_does_not_open_the_admin_functions(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/payex/deadletters");
        request.Headers.Add("x-functions-key", key);
        using var response = await fixture.App.Raw.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

/// <summary>In Development with no callback key configured, the callback function is open: a developer's machine.</summary>
public class DevelopmentWithoutKeyTests
{
    [Fact]
    public async Task In_Development_without_a_callback_key_the_callback_function_is_open()
    {
        await using var app = await RunningApp.StartAsync(s => s["Access__CallbackKeys"] = "");
        var callback = new ExampleCallback();
        callback.Serve(app.PayEx);

        using var content = new StringContent(callback.Json, Encoding.UTF8, "application/json");
        using var response = await app.App.Raw.PostAsync("/api/payex/callbacks", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await app.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
    }
}
