using System.Net;

namespace PayExCallbackFunctions.Access;

/// <summary>Who may call the app's HTTP functions (section <c>Access</c>). Lists are comma-separated.</summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>
    /// Standalone only (the Functions host checks its own keys): the keys the callback function
    /// accepts as <c>?code=</c> or <c>x-functions-key</c>. Several, so that a key can be rotated.
    /// </summary>
    public string? CallbackKeys { get; set; }

    /// <summary>Standalone only: the key of the admin functions, also accepted by the callback function, as the host's master key is.</summary>
    public string? AdminKey { get; set; }

    /// <summary>CIDR ranges callbacks may come from; empty, any address may call.</summary>
    public string? AllowedNetworks { get; set; }

    /// <summary>CIDR ranges of proxies whose <c>X-Forwarded-For</c> is believed; loopback (the Functions host) is added under the host.</summary>
    public string? TrustedProxies { get; set; }

    /// <summary>The secret per-order callback URLs are signed with (HMAC-SHA256).</summary>
    public string? SigningSecret { get; set; }

    /// <summary>The secret before the last rotation, still accepted so that URLs given to PayEx earlier keep working.</summary>
    public string? PreviousSigningSecret { get; set; }

    /// <summary>Refuse callback URLs that are not signed for an order. Default: on when a signing secret is set.</summary>
    public bool? RequireSignature { get; set; }

    // Methods, not properties: the configuration binder would try to bind properties.
    internal IReadOnlyList<string> CallbackKeyList() => List(CallbackKeys);

    internal IPNetwork[] AllowedNetworkList() => Networks(AllowedNetworks);

    internal IPNetwork[] TrustedProxyList() => Networks(TrustedProxies);

    internal string[] SigningSecrets() => new[] { SigningSecret, PreviousSigningSecret }.Where(s => !string.IsNullOrEmpty(s)).ToArray()!;

    internal bool SignatureRequired() => RequireSignature ?? !string.IsNullOrEmpty(SigningSecret);

    internal static IReadOnlyList<string> List(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // Validated at start, so parsing cannot fail here.
    private static IPNetwork[] Networks(string? value) => List(value).Select(ParseNetwork).ToArray();

    internal static IPNetwork ParseNetwork(string value) =>
        value.Contains('/', StringComparison.Ordinal) ? IPNetwork.Parse(value) : new IPNetwork(IPAddress.Parse(value), IPAddress.Parse(value).GetAddressBytes().Length * 8);
}
