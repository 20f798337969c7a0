namespace PayExCallbackFunctions.DeadLetters;

public static class DeadLetterServices
{
    /// <summary>The dead-letter table, replay, the admin functions' work, and the poison queue's intake.</summary>
    public static IServiceCollection AddDeadLetters(this IServiceCollection services)
    {
        services.AddSingleton<DeadLetterTable>();
        services.AddSingleton<DeadLetterReplay>();
        services.AddSingleton<DeadLetterDiscard>();
        services.AddSingleton<PoisonedCallbacks>();
        services.AddSingleton<PoisonQueueCount>();
        services.AddSingleton<DeadLetterAdmin>();
        return services;
    }
}
