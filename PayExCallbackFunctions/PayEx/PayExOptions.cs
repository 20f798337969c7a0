using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.PayEx;

public sealed class PayExOptions
{
    public const string Section = "PayEx";

    /// <summary>The PayEx API host, e.g. https://api.payex.com (production) or https://api.externalintegration.payex.com (test).</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>The merchant's bearer token. Never logged.</summary>
    public string? Token { get; set; }

    /// <summary>
    /// The API version asked for when reading payment orders named by v2/v3.0 callbacks (which do not
    /// say their version). Empty: PayEx's default. v3.1 callbacks are always read as 3.1.
    /// </summary>
    public string? PaymentOrderVersion { get; set; }

    /// <summary>Seconds one GET may take before it is abandoned and tried again.</summary>
    public int AttemptTimeoutSeconds { get; set; } = 10;

    /// <summary>Quick retries of one GET within an attempt, for blips; longer outages go to the durable retry path.</summary>
    public int QuickRetries { get; set; } = 2;
}

public sealed class PayExOptionsValidator : IValidateOptions<PayExOptions>
{
    public ValidateOptionsResult Validate(string? name, PayExOptions options)
    {
        var failures = new List<string>();
        if (options.BaseUrl is not { IsAbsoluteUri: true } url)
        {
            failures.Add("PayEx__BaseUrl is required: the absolute URL of the PayEx API host, e.g. https://api.payex.com.");
        }
        else
        {
            if (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && url.IsLoopback))
            {
                failures.Add("PayEx__BaseUrl must use https (plain http is allowed only for a loopback stand-in).");
            }

            if (url.AbsolutePath != "/" || url.Query.Length > 0 || url.UserInfo.Length > 0)
            {
                failures.Add("PayEx__BaseUrl must be a host only, with no path, query or user info (resource paths come from PayEx).");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Token))
        {
            failures.Add("PayEx__Token is required: the bearer token of the merchant's PayEx account.");
        }
        else if (options.Token.Any(c => char.IsControl(c) || c == ' '))
        {
            failures.Add("PayEx__Token must not contain spaces or control characters.");
        }

        if (options.PaymentOrderVersion is { Length: > 0 } v && !(v.Length <= 8 && v.All(c => char.IsAsciiDigit(c) || c == '.')))
        {
            failures.Add("PayEx__PaymentOrderVersion must be a version number such as 3.0, or empty.");
        }

        if (options.AttemptTimeoutSeconds is < 1 or > 120)
        {
            failures.Add("PayEx__AttemptTimeoutSeconds must be between 1 and 120.");
        }

        if (options.QuickRetries is < 0 or > 5)
        {
            failures.Add("PayEx__QuickRetries must be between 0 and 5.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
