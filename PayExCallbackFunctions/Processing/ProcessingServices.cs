using Microsoft.Extensions.Options;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Processing;

public static class ProcessingServices
{
    /// <summary>
    /// The processor, and in standalone mode the queue listeners that feed it and the dead letters,
    /// except those of functions disabled as the Functions host disables them (<see cref="IsDisabled"/>).
    /// </summary>
    public static IServiceCollection AddProcessing(this IServiceCollection services, IConfiguration configuration, bool standalone)
    {
        services.AddSingleton<CallbackProcessor>();
        services.AddSingleton<CallbackAttempt>();
        if (!standalone)
        {
            return services;
        }

        // Registered as IHostedService directly: AddHostedService would keep only one of the two.
        if (!IsDisabled(configuration, ProcessEndpoints.FunctionName))
        {
            services.AddSingleton<IHostedService>(sp => QueueListener.For(
                sp,
                sp.GetRequiredService<IOptions<StorageOptions>>().Value.CallbackQueue,
                async (message, id, dequeueCount, cancellationToken) =>
                    await sp.GetRequiredService<CallbackAttempt>().RunAsync(message, id, dequeueCount, cancellationToken)));
        }

        if (!IsDisabled(configuration, ProcessEndpoints.PoisonFunctionName))
        {
            services.AddSingleton<IHostedService>(sp => QueueListener.For(
                sp,
                sp.GetRequiredService<IOptions<StorageOptions>>().Value.PoisonQueue,
                (message, id, dequeueCount, cancellationToken) =>
                    sp.GetRequiredService<PoisonedCallbacks>().DeadLetterAsync(message, id, dequeueCount, cancellationToken)));
        }

        return services;
    }

    /// <summary>
    /// The host's app setting <c>AzureWebJobs.{function}.Disabled</c> (<c>AzureWebJobs__{function}__Disabled</c>
    /// where dots cannot be used): the function's trigger does not run, the rest of the app does.
    /// </summary>
    public static bool IsDisabled(IConfiguration configuration, string function) =>
        configuration.GetValue<bool>($"AzureWebJobs.{function}.Disabled")
        || configuration.GetValue<bool>($"AzureWebJobs:{function}:Disabled");
}
