using System.Net.Http.Headers;
using Polly.CircuitBreaker;
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
        catch (Exception e) when (e is not PayExHostRefusedException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            // Network errors and timeouts mean: no answer from PayEx.
            throw new PayExRequestException($"GET {path} got no answer from PayEx: {e.GetType().Name}.", null, null, e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new PayExRequestException(
                    $"GET {path} answered {(int)response.StatusCode} {response.ReasonPhrase}.",
                    response.StatusCode,
                    RetryAfter(response));
            }

            if (response.Content.Headers.ContentLength > MaxResponseBytes)
            {
                throw new PayExResourceException($"GET {path} answered with {response.Content.Headers.ContentLength} bytes, more than {MaxResponseBytes}.");
            }

            try
            {
                return (await ReadBoundedAsync(response.Content, path, cancellationToken), (int)response.StatusCode);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw new PayExRequestException($"GET {path} broke off while reading the answer.", null, null, e);
            }
        }
    }

    // Content-Length can be absent (chunked, or removed by decompression): count what is read.
    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, PayExPath path, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes)
            {
                throw new PayExResourceException($"GET {path} answered with more than {MaxResponseBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow(),
        _ => null,
    };
}
