using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace PayExCallbackFunctions.Events;

public static class EventsServices
{
    public static IServiceCollection AddEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EventsOptions>()
            .Bind(configuration.GetSection(EventsOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventsOptions>, EventsOptionsValidator>();

        services.AddHttpClient(WebhookSink.ClientName, http => http.DefaultRequestHeaders.UserAgent.ParseAdd("PayExCallbackFunctions-Webhooks/1.0"))
            // Redirects are not followed (a receiver's 3xx must not send the payment's data elsewhere); no proxy, so that
            // the address checked is the one connected to.
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                MaxResponseHeadersLength = 16,
                ConnectCallback = WebhookConnections.Guard(sp.GetRequiredService<IOptions<EventsOptions>>().Value.AllowPrivateNetworks),
            })
            // Per endpoint (host and port): one that keeps failing or hanging is not waited for by every payment's delivery;
            // a refused attempt counts as a failed one and is retried on the schedule.
            .AddResilienceHandler("webhook", pipeline => pipeline
                .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = 0.5,
                    MinimumThroughput = 3,
                    SamplingDuration = TimeSpan.FromSeconds(30),
                    BreakDuration = TimeSpan.FromSeconds(15),
                })
                .AddTimeout(WebhookSink.Timeout))
            .SelectPipelineByAuthority();

        services.AddSingleton<QueueSink>();
        services.AddSingleton<EventSinks>();
        services.AddSingleton<EventMetrics>();
        services.AddSingleton<UndeliveredEvents>();
        services.AddSingleton<EventDelivery>();
        services.AddSingleton<EventDispatch>();
        services.AddHostedService(sp => sp.GetRequiredService<EventDispatch>());
        services.AddSingleton<EventRelay>();
        services.AddSingleton<EventReplay>();
        services.AddSingleton<UndeliveredEventAdmin>();
        return services;
    }
}
