using System.Net;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Retry;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// Refuses at start what would fail at every delivery, naming the setting: a queue name Azure refuses, a webhook URL that
/// is not absolute http(s), http outside Development, a literal private address without <c>Events__AllowPrivateNetworks</c>,
/// a secret that is not <c>whsec_</c> base64 of 24-64 bytes. Never says a secret's value.
/// </summary>
public sealed class EventsOptionsValidator(IHostEnvironment environment) : IValidateOptions<EventsOptions>
{
    public ValidateOptionsResult Validate(string? name, EventsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!StorageOptions.QueueName().IsMatch(options.Queue ?? ""))
        {
            failures.Add($"Events__Queue '{options.Queue}' is not a valid queue name (3-56 lowercase letters, digits and single hyphens).");
        }

        var delays = RetryOptions.ParseSchedule(options.RetrySchedule);
        if (delays is null || delays.Count is 0 or > 30 || delays.Any(d => d < TimeSpan.FromSeconds(1) || d > TimeSpan.FromDays(7)))
        {
            failures.Add($"Events__RetrySchedule '{options.RetrySchedule}' must be 1-30 comma-separated TimeSpans, each 1 second to 7 days, such as 00:01:00, 00:05:00, 1.00:00:00.");
        }

        if (options.RelayAfterSeconds is < 1 or > 3600)
        {
            failures.Add("Events__RelayAfterSeconds must be between 1 and 3600.");
        }

        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            failures.AddRange(Endpoint(i, options.Webhooks[i], options.AllowPrivateNetworks));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private IEnumerable<string> Endpoint(int index, WebhookEndpoint endpoint, bool allowPrivate)
    {
        var setting = $"Events__Webhooks__{index}__";
        if (!Uri.TryCreate(endpoint.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(url.UserInfo) || url.Fragment.Length > 0)
        {
            // Not said back: a URL may carry the receiver's token in its query.
            yield return $"{setting}Url must be an absolute https URL without user info or fragment.";
        }
        else
        {
            if (url.Scheme == Uri.UriSchemeHttp && !environment.IsDevelopment())
            {
                yield return $"{setting}Url must be https (http only in Development): the events carry payments' amounts and references.";
            }

            if (!allowPrivate && (url.IsLoopback || (IPAddress.TryParse(url.DnsSafeHost, out var address) && PrivateNetworks.Contains(address))))
            {
                yield return $"{setting}Url points at a private, loopback or link-local address; set Events__AllowPrivateNetworks to true if the order system is on such a network.";
            }
        }

        if (!WebhookSecret.TryParse(endpoint.Secret, out _))
        {
            yield return $"{setting}Secret must be whsec_ followed by the base64 of 24-64 random bytes (the Standard Webhooks format).";
        }

        if (!string.IsNullOrEmpty(endpoint.PreviousSecret) && !WebhookSecret.TryParse(endpoint.PreviousSecret, out _))
        {
            yield return $"{setting}PreviousSecret, when set, must be whsec_ followed by the base64 of 24-64 random bytes.";
        }
    }
}
