using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>The app's instruments, for tests that build its classes by hand.</summary>
public static class TestMetrics
{
    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    public static CallbackMetrics Create() => new(Meters);
}
