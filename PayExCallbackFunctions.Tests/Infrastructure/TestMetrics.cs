using System.Diagnostics.Metrics;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// The app's instruments, for tests that build its classes by hand. Their meter has a name of its
/// own, so that an in-process app's metrics (read by name) do not count what these tests do.
/// </summary>
public static class TestMetrics
{
    public static CallbackMetrics Create() => new(new RenamingMeterFactory());

    private sealed class RenamingMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter($"{options.Name}.Tests");
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
