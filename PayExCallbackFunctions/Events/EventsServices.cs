using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Events;

public static class EventsServices
{
    public static IServiceCollection AddEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EventsOptions>()
            .Bind(configuration.GetSection(EventsOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventsOptions>, EventsOptionsValidator>();
        services.AddSingleton<QueueSink>();
        services.AddSingleton<EventDelivery>();
        services.AddSingleton<EventRelay>();
        return services;
    }
}
