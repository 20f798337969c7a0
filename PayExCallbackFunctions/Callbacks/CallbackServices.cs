using Microsoft.Extensions.Options;
using PayExCallbackFunctions.PayEx;

namespace PayExCallbackFunctions.Callbacks;

public static class CallbackServices
{
    public static IServiceCollection AddCallbacks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CallbackOptions>()
            .Bind(configuration.GetSection(CallbackOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CallbackOptions>, CallbackOptionsValidator>();
        services.AddSingleton<RejectedCallbackRepeats>();
        services.AddSingleton<RejectedCallbackTable>();
        services.AddHostedService<RejectedCallbackRetention>();
        services.AddSingleton(sp => new CallbackParser(sp.GetRequiredService<IOptions<PayExOptions>>().Value.BaseUrl!));
        services.AddSingleton<AcknowledgeCallback>();
        return services;
    }
}

[OptionsValidator]
public sealed partial class CallbackOptionsValidator : IValidateOptions<CallbackOptions>;
