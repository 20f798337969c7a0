using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.PayEx;

/// <summary>
/// PayEx answers are read whole inside each attempt, and bounded: an answer larger than the bound is a
/// permanent failure, not a transient one retried. (Stalled and trickling bodies: PayExOutageTests, under the host.)
/// </summary>
public class PayExResponseBufferTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_answer_larger_than_the_bound_is_refused_as_no_resource_and_not_retried(bool chunked)
    {
        var hits = 0;
        using var payEx = new HttpListener();
        var port = FreePort.Next();
        payEx.Prefixes.Add($"http://127.0.0.1:{port}/");
        payEx.Start();
        _ = Task.Run(async () =>
        {
            while (payEx.IsListening)
            {
                var context = await payEx.GetContextAsync();
                Interlocked.Increment(ref hits);
                try
                {
                    var block = new byte[64 * 1024];
                    var length = PayExClient.MaxResponseBytes + block.Length;
                    context.Response.SendChunked = chunked;
                    if (!chunked)
                    {
                        context.Response.ContentLength64 = length;
                    }

                    for (var sent = 0; sent < length; sent += block.Length)
                    {
                        await context.Response.OutputStream.WriteAsync(block);
                    }

                    context.Response.Close();
                }
                catch (HttpListenerException)
                {
                    // The client stopped reading, as it should.
                }
            }
        });

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PayEx:BaseUrl"] = $"http://127.0.0.1:{port}",
            ["PayEx:Token"] = "token",
            ["PayEx:QuickRetries"] = "2",
        }).Build();
        await using var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddSingleton(TestMetrics.Create()).AddPayEx(configuration).BuildServiceProvider();
        var client = services.GetRequiredService<PayExClient>();
        Assert.True(PayExPath.TryParseRelative("/psp/creditcard/payments/7e6cdfc3-1276-44e9-9992-7cf4419750e1", out var path, out _));

        var failure = await Assert.ThrowsAsync<PayExResourceException>(() => client.GetAsync(path, null, null, CancellationToken.None));

        Assert.Contains($"more than {PayExClient.MaxResponseBytes}", failure.Message);
        Assert.Equal(1, Volatile.Read(ref hits));
    }
}
