using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.PayEx;

/// <summary>
/// The last step before a PayEx request goes out: it adds the bearer token, and only to a /psp/
/// resource on the configured PayEx host. A request for anywhere else is refused, unsent.
/// </summary>
public sealed class PayExAuthorization(IOptionsMonitor<PayExOptions> options) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var payEx = options.CurrentValue;
        if (!IsPayExResource(request.RequestUri, payEx.BaseUrl!))
        {
            throw new PayExHostRefusedException($"Refused to send {request.Method} to {request.RequestUri?.GetLeftPart(UriPartial.Authority)}: only /psp/ resources on PayEx__BaseUrl are read.");
        }

        // Read per request so that a corrected token is used without a restart.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", payEx.Token);
        return base.SendAsync(request, cancellationToken);
    }

    private static bool IsPayExResource(Uri? uri, Uri baseUrl) =>
        uri is { IsAbsoluteUri: true }
        && string.Equals(uri.Scheme, baseUrl.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.IdnHost, baseUrl.IdnHost, StringComparison.OrdinalIgnoreCase)
        && uri.Port == baseUrl.Port
        && uri.UserInfo.Length == 0
        && uri.AbsolutePath.StartsWith("/psp/", StringComparison.Ordinal);
}

/// <summary>A PayEx request that would have left the configured PayEx API; it was not sent.</summary>
public sealed class PayExHostRefusedException : PayExResourceException
{
    public PayExHostRefusedException() { }

    public PayExHostRefusedException(string message) : base(message) { }

    public PayExHostRefusedException(string message, Exception inner) : base(message, inner) { }
}
