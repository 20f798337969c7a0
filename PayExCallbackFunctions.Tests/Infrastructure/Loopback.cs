using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>The stand-ins the tests start on loopback (PayEx, a webhook receiver, the order system) listen on a free port.</summary>
internal static class Loopback
{
    /// <summary>Where a started app, bound to port 0, actually listens.</summary>
    public static Uri AddressOf(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
