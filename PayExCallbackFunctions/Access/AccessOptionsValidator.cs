using System.Net;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Hosting;

namespace PayExCallbackFunctions.Access;

public sealed class AccessOptionsValidator(IConfiguration configuration, IHostEnvironment environment) : IValidateOptions<AccessOptions>
{
    public const int MinKeyLength = 16;
    public const int MinSecretLength = 32;

    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        var failures = new List<string>();
        var standalone = !FunctionsHost.IsCustomHandler(configuration);
        if (standalone && options.CallbackKeyList().Count == 0 && !environment.IsDevelopment())
        {
            failures.Add("Access__CallbackKeys is required when the app runs without the Functions host (outside Development): without it anyone could post callbacks.");
        }

        foreach (var key in options.CallbackKeyList())
        {
            CheckKey("Access__CallbackKeys", key, failures);
        }

        if (!string.IsNullOrEmpty(options.AdminKey))
        {
            CheckKey("Access__AdminKey", options.AdminKey, failures);
        }

        CheckNetworks("Access__AllowedNetworks", options.AllowedNetworks, failures);
        if (CheckNetworks("Access__TrustedProxies", options.TrustedProxies, failures)
            && options.TrustedProxyList().Any(n => n.PrefixLength < (n.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 8 : 32)))
        {
            // Whoever is trusted as a proxy can write any client address; a range this wide is everyone.
            failures.Add("Access__TrustedProxies: a range wider than /8 (IPv4) or /32 (IPv6) would let almost anyone choose its own client address.");
        }

        if (!string.IsNullOrEmpty(configuration["Admin:Key"]))
        {
            failures.Add("Admin__Key is now Access__AdminKey: rename the setting.");
        }

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
    private static void CheckKey(string setting, string key, List<string> failures)
    {
        if (key.Length < MinKeyLength || key.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            failures.Add($"{setting}: each key must be at least {MinKeyLength} characters, without spaces or control characters.");
        }
    }

    private static void CheckSecret(string setting, string? secret, List<string> failures)
    {
        if (!string.IsNullOrEmpty(secret) && secret.Length < MinSecretLength)
        {
            failures.Add($"{setting} must be at least {MinSecretLength} characters (e.g. 32 random bytes, base64-encoded).");
        }
    }

    private static bool CheckNetworks(string setting, string? value, List<string> failures)
    {
        var valid = true;
        foreach (var entry in AccessOptions.List(value))
        {
            // Strict: 91.132.170.1/24 is refused rather than read as 91.132.170.0/24, a range the writer may not have meant.
            var ok = entry.Split('/') is [var address, _]
                ? IPNetwork.TryParse(entry, out var network) && IPAddress.TryParse(address, out var given) && network.BaseAddress.Equals(given)
                : IPAddress.TryParse(entry, out _);
            if (!ok)
            {
                failures.Add($"{setting}: '{entry}' is not an IP address or a CIDR range such as 20.91.170.120/29 (with no bits set past the prefix).");
                valid = false;
            }
        }

        return valid;
    }
}
