namespace PayExCallbackFunctions.Api;

public static class ApiServices
{
    /// <summary>The payments API (function PayExPayments): read a payment's status, find by reference, refresh.</summary>
    public static IServiceCollection AddPaymentsApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.Section)).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ApiOptions>, ApiOptionsValidator>();
        services.AddSingleton<Payments.PaymentLookup>();
        services.AddSingleton<PaymentRefresh>();
        services.AddSingleton<PaymentsApi>();
        return services;
    }
}
