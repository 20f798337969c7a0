using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// An HTTP endpoint on loopback that records every request it gets and answers as the test says (<see cref="Answer"/>):
/// a receiver that is down, redirects, is gone, is busy, drips, or talks too much. 204 by default.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>Where to POST: <c>/hook</c> on this receiver.</summary>
    public Uri Url { get; }

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>How the next requests are answered.</summary>
    public Func<HttpContext, Task> Answer { get; set; } = context =>
    {
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    };

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.Map("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            receiver!.Requests.Enqueue(new ReceivedRequest(context.Request.Path, context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body));
            await receiver.Answer(context);
        });
        await app.StartAsync();
        receiver = new WebhookReceiver(app, new Uri(Loopback.AddressOf(app), "/hook"));
        return receiver;
    }

    /// <summary>The event ids received, in order (duplicates kept).</summary>
    public IReadOnlyList<string> EventIds => Requests.Select(r => r.Headers.GetValueOrDefault("webhook-id") ?? "").ToList();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, string Body);
