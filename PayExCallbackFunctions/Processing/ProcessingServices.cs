namespace PayExCallbackFunctions.Processing;

public static class ProcessingServices
{
    /// <summary>What the queue function ProcessPayExCallback hands each delivery to.</summary>
    public static IServiceCollection AddProcessing(this IServiceCollection services)
    {
        services.AddSingleton<CallbackProcessor>();
        services.AddSingleton<NewerEnvelopes>();
        services.AddSingleton<CallbackAttempt>();
        return services;
    }
}
