using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Tracking;

public static class TrackingServices
{
    public static IServiceCollection AddTracking(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TrackingOptions>()
            .Bind(configuration.GetSection(TrackingOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TrackingOptions>, TrackingOptionsValidator>();
        services.AddSingleton<TrackingMetrics>();
        services.AddSingleton<PaymentCheck>();
        services.AddSingleton<TrackingSweep>();
        services.AddSingleton<PaymentRegistration>();
        services.AddSingleton<TrackingCounts>();
        services.AddHostedService<TrackingSampler>();
        return services;
    }
}
