using System.Net;
using System.Text;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Access;

/// <summary>
/// Access__AllowedNetworks: callbacks only from listed ranges. The address is the connection's, or
/// what a trusted proxy (Access__TrustedProxies; the Functions host on loopback) forwarded.
/// </summary>
public class AllowedNetworkTests
{
    private static async Task<HttpStatusCode> PostAsync(RunningApp app, string? forwardedFor, string body = "")
    {
        var callback = new ExampleCallback();
        callback.Serve(app.PayEx);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/payex/callbacks")
        {
            Content = new StringContent(body.Length > 0 ? body : callback.Json, Encoding.UTF8, "application/json"),
        };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await app.App.Http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        if (response.StatusCode == HttpStatusCode.OK)
        {
            await app.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
        }

        return response.StatusCode;
    }

    [Fact]
    public async Task Without_a_trusted_proxy_the_connection_decides_and_X_Forwarded_For_is_ignored()
    {
        await using var app = await RunningApp.StartAsync(s => s["Access__AllowedNetworks"] = "10.0.0.0/8, 20.91.170.120/29");

        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(app, forwardedFor: null));
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(app, forwardedFor: "10.1.2.3"));
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(app, forwardedFor: "20.91.170.121"));
    }

    [Fact]
    public async Task A_listed_connection_address_is_let_in()
    {
        await using var app = await RunningApp.StartAsync(s => s["Access__AllowedNetworks"] = "10.0.0.0/8, 127.0.0.1");

        Assert.Equal(HttpStatusCode.OK, await PostAsync(app, forwardedFor: null));
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_client_is_the_last_address_no_trusted_proxy_vouches_for()
    {
        await using var app = await RunningApp.StartAsync(s =>
        {
            s["Access__AllowedNetworks"] = "20.91.170.120/29";
            s["Access__TrustedProxies"] = "127.0.0.1, 172.16.0.0/12";
        });

        Assert.Equal(HttpStatusCode.OK, await PostAsync(app, "20.91.170.121"));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(app, "20.91.170.127:50123"));
        // A client cannot put itself on the list: whatever it writes is left of what the proxy added.
        Assert.Equal(HttpStatusCode.OK, await PostAsync(app, "6.6.6.6, 20.91.170.122"));
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(app, "20.91.170.122, 6.6.6.6"));
        // Through two trusted hops to the client.
        Assert.Equal(HttpStatusCode.OK, await PostAsync(app, "20.91.170.123, 172.16.4.5"));
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(app, "20.91.170.128"));
        // The proxy said nothing: the proxy itself is not a listed caller.
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(app, forwardedFor: null));
    }

    [Fact]
    public async Task A_rejected_callback_is_recorded_with_the_forwarded_client_address()
    {
        await using var app = await RunningApp.StartAsync(s =>
        {
            s["Access__AllowedNetworks"] = "20.91.170.120/29";
            s["Access__TrustedProxies"] = "127.0.0.1";
        });

        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(app, "20.91.170.124", body: """{"payment": 1}"""));

        var row = Assert.Single(await app.Storage.RejectedAsync());
        Assert.Equal("20.91.170.124", row.GetString("ClientAddress"));
    }
}

/// <summary>Under the Functions host, the host (on loopback) forwards the caller's address; it is trusted without configuration.</summary>
public class AllowedNetworkUnderHostTests
{
    [Fact]
    public async Task The_Functions_host_is_a_trusted_proxy()
    {
        await using var app = await HostedApp.StartAsync();

        Assert.Equal(HttpStatusCode.OK, await app.PostAsync("51.107.183.58"));
        Assert.Equal(HttpStatusCode.Forbidden, await app.PostAsync("6.6.6.6"));
    }

    private sealed class HostedApp : RunningApp
    {
        private HostedApp() : base(customHandler: true, new() { ["Access__AllowedNetworks"] = "51.107.183.58, 91.132.170.1, 20.91.170.120/29" })
        {
        }

        public static async Task<HostedApp> StartAsync()
        {
            var app = new HostedApp();
            await app.InitializeAsync();
            return app;
        }

        public async Task<HttpStatusCode> PostAsync(string forwardedFor)
        {
            var callback = new ExampleCallback();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/payex/callbacks")
            {
                Content = new StringContent(callback.Json, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            using var response = await App.Raw.SendAsync(request);
            return response.StatusCode;
        }
    }
}
