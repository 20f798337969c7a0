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
        services.AddSingleton<AllowedNetworkCheck>();
        services.AddSingleton<SignedOrderCheck>();
        return services;
    }
}
