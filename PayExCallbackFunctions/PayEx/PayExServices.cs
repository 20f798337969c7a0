using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly.Telemetry;

namespace PayExCallbackFunctions.PayEx;

public static class PayExServices
{
    /// <summary>How long GETs are refused once PayEx failed too often; such a refusal is retried after it.</summary>
    public static readonly TimeSpan CircuitBreakDuration = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddPayEx(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PayExOptions>()
            .Bind(configuration.GetSection(PayExOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PayExOptions>, PayExOptionsValidator>();

        services.AddTransient<PayExAuthorization>();
        services.AddTransient<PayExResponseBuffer>();
        var client = services.AddHttpClient<PayExClient>((sp, http) =>
            {
                http.BaseAddress = sp.GetRequiredService<IOptions<PayExOptions>>().Value.BaseUrl;
                http.MaxResponseContentBufferSize = PayExClient.MaxResponseBytes;
                http.DefaultRequestHeaders.UserAgent.ParseAdd("PayExCallbackFunctions/1.0");
            })
            // A redirect would carry the bearer token to wherever PayEx's answer points.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AutomaticDecompression = DecompressionMethods.All,
            });
        client
            .AddStandardResilienceHandler()
            .Configure((HttpStandardResilienceOptions resilience, IServiceProvider sp) =>
            {
                var payEx = sp.GetRequiredService<IOptions<PayExOptions>>().Value;
                resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(payEx.AttemptTimeoutSeconds);
                resilience.Retry.MaxRetryAttempts = Math.Max(1, payEx.QuickRetries);
                // A 429 names its own wait, which the durable retry path honours; here it would hold the queue.
                resilience.Retry.ShouldHandle = args => ValueTask.FromResult(
                    payEx.QuickRetries > 0
                    && HttpClientResiliencePredicates.IsTransient(args.Outcome)
                    && args.Outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests);
                resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
                // Long waits belong to the durable retry path, not to a queue invocation.
                resilience.Retry.MaxDelay = TimeSpan.FromSeconds(5);
                resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(payEx.AttemptTimeoutSeconds * 3 + 10);
                resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, payEx.AttemptTimeoutSeconds * 2));
                // Open only in a real outage: at the default 10%, a PayEx failing one call in five
                // kept it open, and every refused GET spent one of the callback's durable attempts.
                resilience.CircuitBreaker.FailureRatio = 0.5;
                resilience.CircuitBreaker.BreakDuration = CircuitBreakDuration;
            });

        // A quick retry is not news: the attempt's outcome is logged once, by the retry path (a handled,
        // retried 503 was logged at 'fail'). Each quick retry stays visible at Polly's Information level.
        services.Configure<TelemetryOptions>(telemetry => telemetry.SeverityProvider = args => args.Event.EventName switch
        {
            "ExecutionAttempt" or "OnRetry" or "OnTimeout" => ResilienceEventSeverity.Information,
            _ => args.Event.Severity,
        });

        // Inside the resilience handler, so per attempt: the body is read within the attempt's deadline,
        // and every attempt is checked and authorised as it is sent.
        client.AddHttpMessageHandler<PayExResponseBuffer>();
        client.AddHttpMessageHandler<PayExAuthorization>();
        return services;
    }
}
