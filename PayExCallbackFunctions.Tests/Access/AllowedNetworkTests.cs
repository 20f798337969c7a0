using System.Net;
using System.Net.Sockets;
using System.Text;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Access;

/// <summary>
/// Access__AllowedNetworks under the host: the worker sees the address of the host's caller (the
/// host's proxy forwards it and drops what the caller wrote in X-Forwarded-For). Callers here are
/// told apart by the loopback address they connect from.
/// </summary>
public class AllowedNetworkTests(AllowedNetworkTests.App fixture) : IClassFixture<AllowedNetworkTests.App>
{
    public sealed class App() : RunningApp(new() { ["Access__AllowedNetworks"] = "127.0.0.2, 10.0.0.0/8" });

    /// <summary>Posts from <paramref name="from"/>, a loopback address of this machine.</summary>
    private async Task<HttpStatusCode> PostAsync(string from, ExampleCallback callback, string? forwardedFor = null, string? body = null)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancel) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancel);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = fixture.App.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/payex/callbacks")
        {
            Content = new StringContent(body ?? callback.Json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-functions-key", fixture.App.CallbackKey);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        return response.StatusCode;
    }

    [Fact]
    public async Task A_callback_from_a_listed_address_is_stored()
    {
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);

        Assert.Equal(HttpStatusCode.OK, await PostAsync("127.0.0.2", callback));
        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
    }

    [Fact]
    public async Task A_callback_from_an_unlisted_address_is_refused_with_403_and_not_fetched_even_if_it_claims_a_listed_one()
    {
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);

        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync("127.0.0.3", callback));
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync("127.0.0.3", callback, forwardedFor: "10.1.2.3"));
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync("127.0.0.3", callback, forwardedFor: "127.0.0.2"));

        // A listed caller's callback after them is stored; theirs would have been fetched by then.
        var sentinel = new ExampleCallback();
        sentinel.Serve(fixture.PayEx);
        Assert.Equal(HttpStatusCode.OK, await PostAsync("127.0.0.2", sentinel));
        await fixture.Storage.WaitForRowsAsync(sentinel.Payment, sentinel.RowKeys);
        Assert.Equal(0, fixture.PayEx.RequestsFor(callback.PaymentPath));
    }

    [Fact]
    public async Task A_rejected_callback_is_recorded_with_the_callers_address()
    {
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync("127.0.0.2", new ExampleCallback(), body: """{"payment": 1}"""));

        var row = await Eventually.GetAsync(async () => (await fixture.Storage.RejectedAsync()).FirstOrDefault(), "the rejected callback's row");
        Assert.Equal("127.0.0.2", row.GetString("ClientAddress"));
    }
}
