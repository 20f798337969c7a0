using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Api;

/// <summary>The app with a short refresh interval, so that a test can see a payment's last read grow old.</summary>
public sealed class PaymentsApiApp() : RunningApp(new()
{
    ["Api__RefreshIntervalSeconds"] = PaymentsApiApp.RefreshIntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
})
{
    public const int RefreshIntervalSeconds = 3;
}
