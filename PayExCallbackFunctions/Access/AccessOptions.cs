using System.Net;

namespace PayExCallbackFunctions.Access;

/// <summary>Who may post callbacks, beyond the host's function key (section <c>Access</c>). Lists are comma-separated.</summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>CIDR ranges callbacks may come from; empty, any address may call.</summary>
    public string? AllowedNetworks { get; set; }

    /// <summary>The secret per-order callback URLs are signed with (HMAC-SHA256).</summary>
    public string? SigningSecret { get; set; }

    /// <summary>The secret before the last rotation, still accepted so that URLs given to PayEx earlier keep working.</summary>
    public string? PreviousSigningSecret { get; set; }

    /// <summary>Refuse callback URLs that are not signed for an order. Default: on when a signing secret is set.</summary>
    public bool? RequireSignature { get; set; }

    // Methods, not properties: the configuration binder would try to bind properties.
    internal IPNetwork[] AllowedNetworkList() => List(AllowedNetworks).Select(ParseNetwork).ToArray();

    internal string[] SigningSecrets() => new[] { SigningSecret, PreviousSigningSecret }.Where(s => !string.IsNullOrEmpty(s)).ToArray()!;

    internal bool SignatureRequired() => RequireSignature ?? !string.IsNullOrEmpty(SigningSecret);

    internal static IReadOnlyList<string> List(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // Validated at start, so parsing cannot fail here.
    internal static IPNetwork ParseNetwork(string value) =>
        value.Contains('/', StringComparison.Ordinal) ? IPNetwork.Parse(value) : new IPNetwork(IPAddress.Parse(value), IPAddress.Parse(value).GetAddressBytes().Length * 8);
}
