using PayExCallbackFunctions;
using PayExCallbackFunctions.Access;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Hosting;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Processing;
using PayExCallbackFunctions.Retry;
using PayExCallbackFunctions.Status;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Telemetry;

if (args is [CallbackUrlCommand.Name, .. var commandArgs])
{
    var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
    return CallbackUrlCommand.Run(commandArgs, environment, Console.Out, Console.Error);
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = FunctionsHost.ContentRoot() });

// host.json, and the port the Functions host gives its custom handler (if it runs us).
builder.AddFunctionsHost();
var standalone = !FunctionsHost.IsCustomHandler(builder.Configuration);

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJson.Context));

// OpenTelemetry traces, metrics and logs (to Application Insights and/or OTLP), and health.
builder.AddTelemetry();
builder.Services.AddHealth();

// Azure Storage: the callback queue and the payments table.
builder.Services.AddStorage(builder.Configuration);

// The PayEx API client: the configured host only, bearer token, resilience.
builder.Services.AddPayEx(builder.Configuration);

// Who may call: function keys (standalone), allowed networks, per-order signed callback URLs.
builder.Services.AddAccess(builder.Configuration);

// The request line carries ?code= (a function key): it is not logged below Warning, whatever the log level.
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

// Acknowledge: validate the callback and enqueue it.
builder.Services.AddCallbacks(builder.Configuration);

// Process: fetch from PayEx and store; standalone, with our own queue listeners.
builder.Services.AddProcessing(builder.Configuration, standalone);

// Retry: failed attempts back on the queue with backoff; what cannot succeed to the dead letters.
builder.Services.AddRetry(builder.Configuration);
builder.Services.AddDeadLetters();

var app = builder.Build();

app.UseTrustedProxies(standalone);
app.UseExceptionHandler();
app.UseStatusCodePages();

// The HTTP function PayExCallback.
app.MapCallbacks(standalone);

// The admin HTTP functions over the dead letters.
app.MapDeadLetters(standalone);

// The operator's status page (the function PayExStatus): lag, recent callbacks, dead letters to replay.
app.MapStatusPage(standalone);

// The queue functions ProcessPayExCallback and DeadLetterPoisonCallback, as the Functions host invokes them.
if (!standalone)
{
    app.MapProcessInvocations();
}

// Liveness and readiness; and the operator's status page.
app.MapHealth();

if (!standalone)
{
    app.Logger.LogInformation("Running as a Functions custom handler: the Functions host owns the triggers");
}

// Once started, so that the settings have been validated.
app.Lifetime.ApplicationStarted.Register(() =>
{
    app.Logger.LogInformation("{Telemetry}", app.Services.GetRequiredService<TelemetryDestinations>().ToString());
    var retries = app.Services.GetRequiredService<RetrySchedule>();
    app.Logger.LogInformation("Transient failures are tried {MaxAttempts} times, over at least {Span}, before a callback is dead-lettered", retries.MaxAttempts, retries.Span());
    foreach (var function in new[] { ProcessEndpoints.FunctionName, ProcessEndpoints.PoisonFunctionName })
    {
        if (standalone && ProcessingServices.IsDisabled(app.Configuration, function))
        {
            app.Logger.LogWarning("{Function} is disabled (AzureWebJobs.{Function}.Disabled): its queue is not listened to", function, function);
        }
    }

    if (standalone && app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AccessOptions>>().Value.CallbackKeyList().Count == 0)
    {
        // Only possible in Development: elsewhere start-up refuses.
        app.Logger.LogWarning("No Access__CallbackKeys: anyone who can reach this app may post callbacks (Development only)");
    }
});

app.Run();
return 0;

/// <summary>The app's entry point, named for tests.</summary>
public partial class Program;
