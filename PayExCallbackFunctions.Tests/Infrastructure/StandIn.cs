using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using PayExCallbackFunctions.PayExStandIn;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>The PayEx stand-in on a free loopback port, scripted through its state.</summary>
public sealed class StandIn : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StandIn(WebApplication app, Uri baseUrl, string token)
    {
        _app = app;
        BaseUrl = baseUrl;
        Token = token;
        State = app.Services.GetRequiredService<StandInState>();
    }

    public Uri BaseUrl { get; }

    public StandInState State { get; }

    public const string DefaultToken = PayExStandIn.PayExStandIn.DefaultToken;

    /// <summary>The bearer token the stand-in accepts.</summary>
    public string Token { get; }

    /// <summary>The GETs PayEx received for paths under <paramref name="path"/>.</summary>
    public int RequestsFor(string path) => State.Requests.Count(r => r.PathAndQuery.StartsWith(path, StringComparison.OrdinalIgnoreCase));

    /// <summary>Starts the stand-in; on <paramref name="port"/> if given, else on a free one.</summary>
    public static async Task<StandIn> StartAsync(bool seedExamples = false, int port = 0, string token = DefaultToken)
    {
        var app = PayExStandIn.PayExStandIn.Build($"http://127.0.0.1:{port}", token, seedExamples: seedExamples);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new StandIn(app, new Uri(address), token);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
