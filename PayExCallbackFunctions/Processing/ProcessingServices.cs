using Microsoft.Extensions.Options;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Processing;

public static class ProcessingServices
{
    /// <summary>The processor, and in standalone mode the queue listeners that feed it and the dead letters.</summary>
    public static IServiceCollection AddProcessing(this IServiceCollection services, bool standalone)
    {
        services.AddSingleton<CallbackProcessor>();
        services.AddSingleton<CallbackAttempt>();
        if (standalone)
        {
            // Registered as IHostedService directly: AddHostedService would keep only one of the two.
            services.AddSingleton<IHostedService>(sp => QueueListener.For(
                sp,
                sp.GetRequiredService<IOptions<StorageOptions>>().Value.CallbackQueue,
                async (message, id, dequeueCount, cancellationToken) =>
                    await sp.GetRequiredService<CallbackAttempt>().RunAsync(message, id, dequeueCount, cancellationToken)));
            services.AddSingleton<IHostedService>(sp => QueueListener.For(
                sp,
                sp.GetRequiredService<IOptions<StorageOptions>>().Value.PoisonQueue,
                (message, id, dequeueCount, cancellationToken) =>
                    sp.GetRequiredService<PoisonedCallbacks>().DeadLetterAsync(message, id, dequeueCount, cancellationToken)));
        }

        return services;
    }
}
