using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace PayExCallbackFunctions.PayEx;

public enum PayExResourceKind
{
    Payment,
    Transaction,
    PaymentOrder,
}

/// <summary>
/// A validated, normalised PayEx resource path (always relative, under /psp/). Only values of this
/// type are ever requested from PayEx, so the bearer token cannot be sent anywhere else.
/// </summary>
public sealed partial record PayExPath
{
    // Typed transaction collections PayEx has used in callbacks; "sale" (singular) appears in
    // PayEx's own payment order callback example and names the same resource as "sales".
    private static readonly Dictionary<string, string> TransactionCollections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["transactions"] = "transactions",
        ["authorizations"] = "authorizations",
        ["captures"] = "captures",
        ["cancellations"] = "cancellations",
        ["reversals"] = "reversals",
        ["sales"] = "sales",
        ["sale"] = "sales",
    };

    private PayExPath(PayExResourceKind kind, string value, Guid id, Guid paymentId, string? instrument)
    {
        Kind = kind;
        Value = value;
        Id = id;
        PaymentId = paymentId;
        Instrument = instrument;
    }

    public PayExResourceKind Kind { get; }

    /// <summary>The normalised path, e.g. /psp/creditcard/payments/{guid}.</summary>
    public string Value { get; }

    /// <summary>The GUID of the resource itself.</summary>
    public Guid Id { get; }

    /// <summary>The GUID of the payment a payment or transaction belongs to; empty for payment orders.</summary>
    public Guid PaymentId { get; }

    public string? Instrument { get; }

    /// <summary>For a transaction: the path of the payment it belongs to.</summary>
    public string? PaymentPath => Kind == PayExResourceKind.Transaction ? $"/psp/{Instrument}/payments/{PaymentId:D}" : null;

    public override string ToString() => Value;

    /// <summary>
    /// Parses a reference from a callback: a /psp/ path, or an absolute URL on the PayEx host
    /// (reduced to its path). Anything else is refused with a reason fit for a problem detail.
    /// </summary>
    public static bool TryParse(string? reference, Uri payExBaseUrl, [NotNullWhen(true)] out PayExPath? path, [NotNullWhen(false)] out string? error)
    {
        path = null;
        if (string.IsNullOrEmpty(reference))
        {
            error = "is empty";
            return false;
        }

        if (reference.Length > 512)
        {
            error = "is too long";
            return false;
        }

        var candidate = reference;
        if (!reference.StartsWith('/'))
        {
            if (!Uri.TryCreate(reference, UriKind.Absolute, out var absolute))
            {
                error = "is neither a /psp/ path nor an absolute URL";
                return false;
            }

            // A local stand-in may be configured by address; PayEx itself is only ever named.
            if (absolute.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && absolute.HostNameType != payExBaseUrl.HostNameType)
            {
                error = "names an IP address, not the PayEx host";
                return false;
            }

            if (!IsPayExHost(absolute, payExBaseUrl))
            {
                error = "is not on the configured PayEx host";
                return false;
            }

            if (absolute.UserInfo.Length > 0 || absolute.Query.Length > 0 || absolute.Fragment.Length > 0)
            {
                error = "carries user info, a query or a fragment";
                return false;
            }

            // The original string, not Uri.AbsolutePath, so that escapes are seen and refused below.
            var authorityEnd = reference.IndexOf('/', absolute.Scheme.Length + 3);
            candidate = authorityEnd < 0 ? "/" : reference[authorityEnd..];
        }

        return TryParsePath(candidate, out path, out error);
    }

    /// <summary>Parses a relative /psp/ path, as found in PayEx responses and in queued envelopes.</summary>
    public static bool TryParseRelative(string? reference, [NotNullWhen(true)] out PayExPath? path, [NotNullWhen(false)] out string? error)
    {
        path = null;
        if (reference is null || !reference.StartsWith('/') || reference.Length > 512)
        {
            error = "is not a /psp/ path";
            return false;
        }

        return TryParsePath(reference, out path, out error);
    }

    private static bool IsPayExHost(Uri url, Uri baseUrl) =>
        string.Equals(url.Scheme, baseUrl.Scheme, StringComparison.OrdinalIgnoreCase)
        && IdnHostOrNull(url) is { } host
        && string.Equals(host, baseUrl.IdnHost, StringComparison.OrdinalIgnoreCase)
        && url.Port == baseUrl.Port;

    // Uri.TryCreate accepts hosts (such as "é-") whose IDN form then throws; such a host is not PayEx's.
    private static string? IdnHostOrNull(Uri url)
    {
        try
        {
            return url.IdnHost;
        }
        catch (UriFormatException)
        {
            return null;
        }
    }

    private static bool TryParsePath(string candidate, [NotNullWhen(true)] out PayExPath? path, [NotNullWhen(false)] out string? error)
    {
        path = null;
        var match = PathPattern().Match(candidate);
        if (!match.Success)
        {
            error = "is not a PayEx payment, transaction or payment order path";
            return false;
        }

        var first = match.Groups["first"].Value.ToLowerInvariant();
        var id = Guid.Parse(match.Groups["id"].ValueSpan);
        if (first == "paymentorders")
        {
            if (match.Groups["payments"].Success || match.Groups["collection"].Success)
            {
                error = "is not a PayEx payment, transaction or payment order path";
                return false;
            }

            path = new PayExPath(PayExResourceKind.PaymentOrder, $"/psp/paymentorders/{id:D}", id, Guid.Empty, null);
            error = null;
            return true;
        }

        if (!match.Groups["payments"].Success)
        {
            error = "is not a PayEx payment, transaction or payment order path";
            return false;
        }

        if (!match.Groups["collection"].Success)
        {
            path = new PayExPath(PayExResourceKind.Payment, $"/psp/{first}/payments/{id:D}", id, id, first);
            error = null;
            return true;
        }

        if (!TransactionCollections.TryGetValue(match.Groups["collection"].Value, out var collection))
        {
            error = "names an unknown kind of transaction";
            return false;
        }

        var transactionId = Guid.Parse(match.Groups["transactionId"].ValueSpan);
        path = new PayExPath(PayExResourceKind.Transaction, $"/psp/{first}/payments/{id:D}/{collection}/{transactionId:D}", transactionId, id, first);
        error = null;
        return true;
    }

    // Letters, digits and '-' only: no escapes, dots, doubled slashes, queries or fragments get through;
    // \z, not $, so that a trailing newline does not either. No match timeout: anchored, with every
    // quantifier bounded, a match is short whatever the input; a timeout only made a busy machine refuse a valid path.
    [GeneratedRegex(
        @"^/psp/(?<first>[A-Za-z][A-Za-z0-9\-]{0,39})(?:/(?<payments>payments))?/(?<id>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})(?:/(?<collection>[A-Za-z]{1,20})/(?<transactionId>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}))?\z",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex PathPattern();
}
