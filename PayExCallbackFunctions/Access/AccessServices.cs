using System.Net;
using IPNetwork = System.Net.IPNetwork;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Access;

public static class AccessServices
{
    public static IServiceCollection AddAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AccessOptions>()
            .Bind(configuration.GetSection(AccessOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>();
        services.AddSingleton<AllowedNetworkFilter>();
        services.AddSingleton<SignedOrderFilter>();
        return services;
    }

    /// <summary>
    /// Believes <c>X-Forwarded-For</c> only from trusted proxies: the Functions host (loopback) when
    /// it runs us, and <see cref="AccessOptions.TrustedProxies"/>. With none, the header is ignored.
    /// </summary>
    public static WebApplication UseTrustedProxies(this WebApplication app, bool standalone)
    {
        var access = app.Services.GetRequiredService<IOptions<AccessOptions>>().Value;
        var trusted = access.TrustedProxyList().ToList();
        if (!standalone)
        {
            trusted.Add(new IPNetwork(IPAddress.Loopback, 8));
            trusted.Add(new IPNetwork(IPAddress.IPv6Loopback, 128));
        }

        // An empty list would make the middleware trust every sender.
        if (trusted.Count == 0)
        {
            return app;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor,
            // Walk back through every trusted hop to the first address no trusted proxy vouches for.
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var network in trusted)
        {
            options.KnownIPNetworks.Add(network);
        }

        app.UseForwardedHeaders(options);
        return app;
    }
}
