using System.Net.Http.Headers;
using Polly.CircuitBreaker;
using Polly.Timeout;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.PayEx;

/// <summary>
/// Reads resources from the PayEx API. Requests go only to the configured host, only for validated
/// <see cref="PayExPath"/>s (and <see cref="PayExAuthorization"/> checks again), and redirects are
/// not followed, so the token cannot leak elsewhere.
/// </summary>
public sealed class PayExClient(HttpClient http, CallbackMetrics metrics, TimeProvider time)
{
    public const int MaxResponseBytes = 4 * 1024 * 1024;

    /// <summary>What of an answer's reason phrase is kept: PayEx's are a few words.</summary>
    public const int MaxReasonPhraseChars = 200;

    private static readonly MediaTypeWithQualityHeaderValue Problem = new("application/problem+json", 1.0);

    /// <summary>GETs a resource; <paramref name="expand"/> names sub-resources PayEx should inline.</summary>
    public async Task<byte[]> GetAsync(PayExPath path, string? expand, string? version, CancellationToken cancellationToken)
    {
        using var activity = CallbackTracing.StartPayExGet(path.Kind);
        var started = time.GetTimestamp();
        int? status = null;
        string? error = null;
        try
        {
            var (body, answered) = await SendAsync(path, expand, version, cancellationToken);
            status = answered;
            return body;
        }
        catch (Exception e)
        {
            status = (e as PayExRequestException)?.StatusCode is { } code ? (int)code : null;
            error = status is null ? e.GetType().Name : null;
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            activity?.SetTag(TelemetryTags.StatusCode, status).SetTag(TelemetryTags.ErrorType, error ?? (status >= 400 ? status.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
            metrics.PayExAnswered(path.Kind, time.GetElapsedTime(started), status, error);
        }
    }

    private async Task<(byte[] Body, int Status)> SendAsync(PayExPath path, string? expand, string? version, CancellationToken cancellationToken)
    {
        var relative = expand is null ? path.Value : $"{path.Value}?$expand={expand}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(relative, UriKind.Relative));
        request.Headers.Accept.Add(Problem);
        var json = new MediaTypeWithQualityHeaderValue("application/json", 0.9);
        if (!string.IsNullOrEmpty(version))
        {
            json.Parameters.Add(new NameValueHeaderValue("version", version));
        }

        request.Headers.Accept.Add(json);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (BrokenCircuitException e)
        {
            // Not sent at all: PayEx failed too often just now. Try again once the circuit may close.
            throw new PayExRequestException($"GET {path} was not sent: PayEx failed too often just now.", null, PayExServices.CircuitBreakDuration, e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ResponseEnded)
        {
            throw new PayExRequestException($"GET {path} broke off before PayEx's answer was complete.", null, null, e);
        }
        catch (TimeoutRejectedException e)
        {
            throw new PayExRequestException($"GET {path} got no complete answer from PayEx in time.", null, null, e);
        }
        catch (Exception e) when (e is not PayExResourceException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            // Network errors mean: no answer from PayEx.
            throw new PayExRequestException($"GET {path} got no answer from PayEx: {e.GetType().Name}.", null, null, e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new PayExRequestException(
                    $"GET {path} answered {(int)response.StatusCode} {OutsideText.Neutralise(response.ReasonPhrase, MaxReasonPhraseChars)}.",
                    response.StatusCode,
                    RetryAfter(response));
            }

            // Already read whole, within the attempt's deadline (PayExResponseBuffer).
            return (await response.Content.ReadAsByteArrayAsync(cancellationToken), (int)response.StatusCode);
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow(),
        _ => null,
    };
}
