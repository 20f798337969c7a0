namespace PayExCallbackFunctions.Status;

public static class StatusServices
{
    public static IServiceCollection AddStatusPage(this IServiceCollection services) =>
        services.AddSingleton<StatusPageRequests>().AddSingleton<RejectedToday>().AddSingleton<StatusPayments>();
}
