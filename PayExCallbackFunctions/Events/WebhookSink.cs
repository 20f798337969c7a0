using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// One webhook endpoint (<c>Events__Webhooks__N</c>): each event POSTed as CloudEvents JSON, signed as Standard Webhooks
/// v1 with the endpoint's secrets. Only a 2xx delivers. Redirects are not followed (a 3xx is a failure that says so), a
/// <c>410</c> means never (the event is undelivered at once), <c>Retry-After</c> sets the least wait. An answer is given
/// <see cref="Timeout"/> in all and only its first <see cref="MaxErrorBytes"/> are read, for the error.
/// </summary>
public sealed class WebhookSink : IEventSink
{
    public const string ClientName = "webhooks";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public const int MaxErrorBytes = 512;

    private static readonly MediaTypeHeaderValue ContentType = MediaTypeHeaderValue.Parse("application/cloudevents+json; charset=utf-8");

    private readonly Uri _url;
    private readonly byte[][] _keys;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;

    public WebhookSink(int index, WebhookEndpoint endpoint, IHttpClientFactory http, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Key = $"Webhook{index}";
        _url = new Uri(endpoint.Url!, UriKind.Absolute);
        // Validated at start (EventsOptionsValidator): both parse.
        _keys = new[] { endpoint.Secret, endpoint.PreviousSecret }
            .Select(s => WebhookSecret.TryParse(s, out var key) ? key : null)
            .OfType<byte[]>()
            .ToArray();
        _http = http;
        _time = time;
    }

    public string Key { get; }

    /// <summary>The URL without its query (which may hold a receiver's token).</summary>
    public string Description => $"webhook {_url.GetLeftPart(UriPartial.Path)}";

    public async Task<SendOutcome> SendAsync(RecordedEvent recorded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var body = Encoding.UTF8.GetBytes(recorded.Document);
        var timestamp = WebhookSignature.Timestamp(_time.GetUtcNow());
        using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = ContentType;
        request.Headers.Add(WebhookSignature.IdHeader, recorded.Id);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp);
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(_keys, recorded.Id, timestamp, body));

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            using var response = await _http.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                // The body is not read: a receiver answering slowly or at length after its 2xx holds nothing.
                return SendOutcome.Done;
            }

            var said = await FirstBytesAsync(response, deadline.Token);
            return status switch
            {
                410 => SendOutcome.Failed($"answered 410 Gone: the endpoint takes no more events. {said}", gone: true),
                >= 300 and < 400 => SendOutcome.Failed($"answered {status} to {response.Headers.Location?.GetLeftPart(UriPartial.Path) ?? "nowhere"}: redirects are not followed; set the URL it names"),
                _ => SendOutcome.Failed($"answered {status}. {said}", RetryAfter(response)),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return SendOutcome.Failed($"no answer within {Timeout.TotalSeconds:0} s");
        }
        catch (TimeoutRejectedException)
        {
            return SendOutcome.Failed($"no answer within {Timeout.TotalSeconds:0} s");
        }
        catch (BrokenCircuitException)
        {
            return SendOutcome.Failed("not tried: the endpoint failed repeatedly in the last seconds (circuit open)");
        }
        catch (HttpRequestException e)
        {
            return SendOutcome.Failed($"could not be reached: {e.Message}");
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        var wait = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - _time.GetUtcNow() : null);
        return wait > TimeSpan.Zero ? wait : null;
    }

    // The start of what a failing endpoint says, for the operator; never more, however much or slowly it sends.
    private static async Task<string> FirstBytesAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxErrorBytes];
        var read = 0;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
            {
                read += n;
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            // What came before it dripped past the deadline or broke off is all there is to say.
        }

        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}
