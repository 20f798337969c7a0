namespace PayExCallbackFunctions.Processing;

public static class ProcessingServices
{
    /// <summary>The processor, and in standalone mode the queue listener that feeds it.</summary>
    public static IServiceCollection AddProcessing(this IServiceCollection services, bool standalone)
    {
        services.AddSingleton<CallbackProcessor>();
        if (standalone)
        {
            services.AddHostedService<QueueListener>();
        }

        return services;
    }
}
