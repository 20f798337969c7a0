using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Retry;

public static class RetryServices
{
    public static IServiceCollection AddRetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RetryOptions>()
            .Bind(configuration.GetSection(RetryOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RetryOptions>, RetryOptionsValidator>();
        services.AddSingleton<RetrySchedule>();
        services.AddSingleton<RetryPath>();
        return services;
    }
}
