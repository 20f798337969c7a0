using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace PayExCallbackFunctions.Telemetry;

public static class TelemetryServices
{
    public const string ServiceName = "PayExCallbackFunctions";

    /// <summary>Set: traces, metrics and logs go to Application Insights.</summary>
    public const string AzureMonitorSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Set: traces, metrics and logs go to this OTLP endpoint (e.g. a local Aspire dashboard).</summary>
    public const string OtlpSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// OpenTelemetry for traces, metrics and logs, exported where the settings say (both, one, or
    /// none); the spans and instruments exist either way, for the status page. The worker's
    /// invocation spans continue the host's trace (host.json's telemetryMode is OpenTelemetry).
    /// </summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TelemetryOptions>()
            .Bind(builder.Configuration.GetSection(TelemetryOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        services.AddSingleton<CallbackMetrics>();
        services.AddSingleton<RecentCallbacks>();
        services.AddSingleton<QueueBacklog>();
        services.AddSingleton<QueueBacklogSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<QueueBacklogSampler>());

        var telemetry = services.AddOpenTelemetry();
        telemetry.UseFunctionsWorkerDefaults();
        telemetry
            .ConfigureResource(resource => resource.AddService(ServiceName))
            // The host records the HTTP request (its key removed); the worker adds its invocation span under it.
            .WithTracing(tracing => tracing
                .AddSource(CallbackTracing.SourceName)
                .AddHttpClientInstrumentation(http =>
                    // A storage SAS token travels in the query: never recorded, whatever the instrumentation's own redaction setting.
                    http.EnrichWithHttpRequestMessage = (activity, request) =>
                    {
                        if (request.RequestUri is { Query.Length: > 0 } uri)
                        {
                            activity.SetTag("url.full", uri.GetLeftPart(UriPartial.Path));
                        }
                    }))
            .WithMetrics(metrics => metrics
                .AddMeter(CallbackMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());
        // The request line carries ?code= (a function key): it is not logged below Warning, whatever the log level.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        if (builder.Environment.IsDevelopment())
        {
            // With telemetryMode OpenTelemetry the host leaves the worker's logs to the worker's exporters;
            // under func start, the host shows what the worker writes to its console, one line each.
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        }
        builder.Logging.AddOpenTelemetry(logging =>
        {
            // Scopes carry the callback's id and numbers to every line logged while it is processed.
            logging.IncludeScopes = true;
            logging.IncludeFormattedMessage = true;
        });

        var destinations = new TelemetryDestinations();
        if (!string.IsNullOrWhiteSpace(builder.Configuration[AzureMonitorSetting]))
        {
            destinations.Add("Application Insights");
            var credential = AzureMonitorAuthentication.CredentialFor(builder.Configuration[AzureMonitorAuthentication.Setting]);
            telemetry.UseAzureMonitorExporter(azureMonitor =>
            {
                if (credential is not null)
                {
                    azureMonitor.Credential = credential;
                }

                // Every callback's trace is kept: by default the exporter keeps about 5 traces a second.
                azureMonitor.SamplingRatio = 1.0f;
                azureMonitor.TracesPerSecond = null;
            });
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpSetting]))
        {
            destinations.Add("OTLP");
            telemetry.UseOtlpExporter();
        }

        // After the exporters: the Azure Monitor exporter sets a sampler of its own, which would let the polls through.
        // A caller's "not sampled" flag (traceparent ...-00) must not switch off a callback's trace either.
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.SetSampler(new ParentBasedSampler(
            new UnparentedCallSampler(),
            remoteParentSampled: new AlwaysOnSampler(),
            remoteParentNotSampled: new AlwaysOnSampler(),
            localParentSampled: new AlwaysOnSampler(),
            localParentNotSampled: new AlwaysOffSampler())));
        services.AddSingleton(destinations);
        return builder;
    }
}

/// <summary>Where telemetry goes, as the settings chose; said in the log at start.</summary>
public sealed class TelemetryDestinations : List<string>
{
    public override string ToString() => Count == 0
        ? $"Telemetry is not exported (set {TelemetryServices.AzureMonitorSetting} or {TelemetryServices.OtlpSetting})"
        : $"Telemetry is exported to {string.Join(" and ", this)}";
}
