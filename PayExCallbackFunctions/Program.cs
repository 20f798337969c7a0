using Microsoft.Azure.Functions.Worker.Builder;
using PayExCallbackFunctions;
using PayExCallbackFunctions.Access;
using PayExCallbackFunctions.Api;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Events;
using PayExCallbackFunctions.Hosting;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Processing;
using PayExCallbackFunctions.Retry;
using PayExCallbackFunctions.Status;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Tracking;
using PayExCallbackFunctions.Telemetry;

if (args is [CallbackUrlCommand.Name, .. var commandArgs])
{
    var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
    return CallbackUrlCommand.Run(commandArgs, environment, Console.Out, Console.Error);
}

// The Functions host runs this worker: its triggers invoke the functions in Functions/, one class each.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
Program.AddFeatures(builder);

var app = builder.Build();
app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() => StartupReport.Log(app.Services));
app.Run();
return 0;

/// <summary>The app's entry point, and its parts in the order a callback meets them.</summary>
public partial class Program
{
    /// <summary>Everything the functions need; every setting is checked at start (a bad one stops the app, naming it).</summary>
    public static void AddFeatures(IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJson.Context));

        // What the host does with queue messages (host.json), and settings that must be resolved.
        builder.AddHostSettings();

        // OpenTelemetry traces, metrics and logs (to Application Insights and/or OTLP).
        builder.AddTelemetry();

        // Azure Storage: the callback queue and the payments table.
        services.AddStorage(builder.Configuration);

        // The PayEx API client: the configured host only, bearer token, resilience.
        services.AddPayEx(builder.Configuration);

        // Who may call, beyond the host's function key: allowed networks, per-order signed callback URLs.
        services.AddAccess(builder.Configuration);

        // Acknowledge (the function PayExCallback): validate the callback and enqueue it.
        services.AddCallbacks(builder.Configuration);

        // Process (ProcessPayExCallback): fetch from PayEx and store.
        services.AddProcessing();

        // Retry: failed attempts back on the queue with backoff; what cannot succeed to the dead letters.
        services.AddRetry(builder.Configuration);

        // The dead letters, their admin functions and the poison queue's intake (DeadLetterPoisonCallback).
        services.AddDeadLetters();

        // The payments API (PayExPayments): the order system reads a payment's status, finds it by reference, refreshes it,
        // registers it for tracking and stops tracking it.
        services.AddPaymentsApi(builder.Configuration);

        // Tracking (SweepPayExChecks): every payment checked with PayEx on a schedule until it settles, callbacks or not.
        services.AddTracking(builder.Configuration);

        // Events: each change of a payment's status, recorded with it and delivered to the order system's queue.
        services.AddEvents(builder.Configuration);

        // The operator's status page (PayExStatus): lag, recent callbacks, dead letters to replay.
        services.AddStatusPage();
    }
}
