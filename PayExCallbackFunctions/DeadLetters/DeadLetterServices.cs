namespace PayExCallbackFunctions.DeadLetters;

public static class DeadLetterServices
{
    /// <summary>The dead-letter table, replay, the poison queue's intake, and the admin key for standalone runs.</summary>
    public static IServiceCollection AddDeadLetters(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.Section));
        services.AddSingleton<AdminKeyFilter>();
        services.AddSingleton<DeadLetterTable>();
        services.AddSingleton<DeadLetterReplay>();
        services.AddSingleton<PoisonedCallbacks>();
        services.AddSingleton<PoisonQueueCount>();
        return services;
    }
}
