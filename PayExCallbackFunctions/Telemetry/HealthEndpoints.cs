using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PayExCallbackFunctions.Telemetry;

/// <summary>
/// Liveness (the process answers) and readiness (storage answers too, so callbacks can be
/// acknowledged). PayEx is not part of readiness: a PayEx outage must not stop acknowledging.
/// </summary>
public static class HealthEndpoints
{
    public const string Live = "/health/live";
    public const string Ready = "/health/ready";

    /// <summary>The liveness endpoint by its earlier name.</summary>
    public const string LegacyLive = "/healthz";

    private const string ReadyTag = "ready";

    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage", HealthStatus.Unhealthy, [ReadyTag], TimeSpan.FromSeconds(5));
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var live = new HealthCheckOptions { Predicate = _ => false };
        app.MapHealthChecks(Live, live);
        app.MapHealthChecks(LegacyLive, live);
        app.MapHealthChecks(Ready, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return app;
    }

    public static bool IsHealthRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || request.Path.StartsWithSegments(LegacyLive, StringComparison.OrdinalIgnoreCase);
}
