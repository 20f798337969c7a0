using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.PayEx;

/// <summary>The bearer token goes only to /psp/ resources on PayEx__BaseUrl; anything else is not sent at all.</summary>
public class PayExAuthorizationTests
{
    private const string Token = "the-merchant-bearer-token";

    private sealed class Recorder : HttpMessageHandler
    {
        public List<HttpRequestMessage> Sent { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent.Add(request);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }

    private static (HttpMessageInvoker Client, Recorder Recorder) Create(string baseUrl = "https://api.payex.com")
    {
        var options = new OptionsMonitorStub(new PayExOptions { BaseUrl = new Uri(baseUrl), Token = Token });
        var recorder = new Recorder();
        return (new HttpMessageInvoker(new PayExAuthorization(options) { InnerHandler = recorder }), recorder);
    }

    [Theory]
    [InlineData("https://api.payex.com/psp/creditcard/payments/7e6cdfc3-1276-44e9-9992-7cf4419750e1")]
    [InlineData("https://API.PAYEX.COM:443/psp/paymentorders/7e6cdfc3-1276-44e9-9992-7cf4419750e1?$expand=payeeinfo")]
    public async Task A_psp_resource_on_the_PayEx_host_is_sent_with_the_token(string url)
    {
        var (client, recorder) = Create();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), CancellationToken.None);

        var sent = Assert.Single(recorder.Sent);
        Assert.Equal("Bearer", sent.Headers.Authorization?.Scheme);
        Assert.Equal(Token, sent.Headers.Authorization?.Parameter);
    }

    [Theory]
    [InlineData("https://evil.example/psp/creditcard/payments/7e6cdfc3-1276-44e9-9992-7cf4419750e1")]
    [InlineData("https://api.payex.com.evil.example/psp/creditcard/payments/x")]
    [InlineData("http://api.payex.com/psp/creditcard/payments/x")]
    [InlineData("https://api.payex.com:8443/psp/creditcard/payments/x")]
    [InlineData("https://user:pass@api.payex.com/psp/creditcard/payments/x")]
    [InlineData("https://api.payex.com/other/path")]
    [InlineData("https://api.payex.com/")]
    [InlineData("https://10.0.0.1/psp/creditcard/payments/x")]
    public async Task Anything_else_is_refused_unsent_and_without_the_token(string url)
    {
        var (client, recorder) = Create();

        await Assert.ThrowsAsync<PayExHostRefusedException>(() => client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), CancellationToken.None));

        Assert.Empty(recorder.Sent);
    }

    [Fact]
    public void A_refused_request_is_a_permanent_failure()
    {
        Assert.Equal(PayExCallbackFunctions.Retry.FailureKind.Permanent, PayExCallbackFunctions.Retry.Failure.Of(new PayExHostRefusedException("refused"))!.Kind);
    }

    [Fact]
    public async Task A_redirect_from_PayEx_is_not_followed_so_the_token_does_not_go_where_it_points()
    {
        // Elsewhere: a server that would record anything sent to it.
        using var elsewhere = new HttpListener();
        var elsewherePort = FreePort.Next();
        elsewhere.Prefixes.Add($"http://127.0.0.1:{elsewherePort}/");
        elsewhere.Start();
        var elsewhereHits = 0;
        _ = Task.Run(async () =>
        {
            while (elsewhere.IsListening)
            {
                var context = await elsewhere.GetContextAsync();
                Interlocked.Increment(ref elsewhereHits);
                context.Response.Close();
            }
        });

        // "PayEx": answers every GET with a redirect to elsewhere.
        using var payEx = new HttpListener();
        var payExPort = FreePort.Next();
        payEx.Prefixes.Add($"http://127.0.0.1:{payExPort}/");
        payEx.Start();
        _ = Task.Run(async () =>
        {
            while (payEx.IsListening)
            {
                var context = await payEx.GetContextAsync();
                context.Response.StatusCode = 302;
                context.Response.RedirectLocation = $"http://127.0.0.1:{elsewherePort}{context.Request.Url!.PathAndQuery}";
                context.Response.Close();
            }
        });

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PayEx:BaseUrl"] = $"http://127.0.0.1:{payExPort}",
            ["PayEx:Token"] = Token,
            ["PayEx:QuickRetries"] = "0",
        }).Build();
        await using var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddSingleton(TestMetrics.Create()).AddPayEx(configuration).BuildServiceProvider();
        var client = services.GetRequiredService<PayExClient>();
        Assert.True(PayExPath.TryParseRelative("/psp/creditcard/payments/7e6cdfc3-1276-44e9-9992-7cf4419750e1", out var path, out _));

        var failure = await Assert.ThrowsAsync<PayExRequestException>(() => client.GetAsync(path, null, null, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Found, failure.StatusCode);
        Assert.Equal(0, Volatile.Read(ref elsewhereHits));
    }

    private sealed class OptionsMonitorStub(PayExOptions value) : IOptionsMonitor<PayExOptions>
    {
        public PayExOptions CurrentValue => value;

        public PayExOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<PayExOptions, string?> listener) => null;
    }
}
