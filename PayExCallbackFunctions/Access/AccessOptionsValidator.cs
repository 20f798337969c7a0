using System.Net;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Access;

public sealed class AccessOptionsValidator : IValidateOptions<AccessOptions>
{
    public const int MinSecretLength = 32;

    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        var failures = new List<string>();
        CheckNetworks("Access__AllowedNetworks", options.AllowedNetworks, failures);
        CheckSecret("Access__SigningSecret", options.SigningSecret, failures);
        CheckSecret("Access__PreviousSigningSecret", options.PreviousSigningSecret, failures);
        if (string.IsNullOrEmpty(options.SigningSecret) && !string.IsNullOrEmpty(options.PreviousSigningSecret))
        {
            failures.Add("Access__PreviousSigningSecret is set without Access__SigningSecret: new callback URLs are signed with the current secret.");
        }

        if (options.RequireSignature == true && string.IsNullOrEmpty(options.SigningSecret))
        {
            failures.Add("Access__RequireSignature is on but Access__SigningSecret is not set.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Messages name the setting, never its value.
    private static void CheckSecret(string setting, string? secret, List<string> failures)
    {
        if (!string.IsNullOrEmpty(secret) && secret.Length < MinSecretLength)
        {
            failures.Add($"{setting} must be at least {MinSecretLength} characters (e.g. 32 random bytes, base64-encoded).");
        }
    }

    private static void CheckNetworks(string setting, string? value, List<string> failures)
    {
        foreach (var entry in AccessOptions.List(value))
        {
            // Strict: 91.132.170.1/24 is refused rather than read as 91.132.170.0/24, a range the writer may not have meant.
            var ok = entry.Split('/') is [var address, _]
                ? IPNetwork.TryParse(entry, out var network) && IPAddress.TryParse(address, out var given) && network.BaseAddress.Equals(given)
                : IPAddress.TryParse(entry, out _);
            if (!ok)
            {
                failures.Add($"{setting}: '{entry}' is not an IP address or a CIDR range such as 20.91.170.120/29 (with no bits set past the prefix).");
            }
        }
    }
}
