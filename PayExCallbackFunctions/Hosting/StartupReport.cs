using PayExCallbackFunctions.Retry;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Hosting;

/// <summary>What an operator wants to read once the app has started (its settings checked): where telemetry goes, how long retries last.</summary>
public static partial class StartupReport
{
    public static void Log(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupReport).FullName!);
        LogTelemetry(logger, services.GetRequiredService<TelemetryDestinations>().ToString());
        var retries = services.GetRequiredService<RetrySchedule>();
        LogRetries(logger, retries.MaxAttempts, retries.Span());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Telemetry}")]
    private static partial void LogTelemetry(ILogger logger, string telemetry);

    [LoggerMessage(Level = LogLevel.Information, Message = "Transient failures are tried {MaxAttempts} times, over at least {Span}, before a callback is dead-lettered")]
    private static partial void LogRetries(ILogger logger, int maxAttempts, TimeSpan span);
}
