namespace PayExCallbackFunctions.Access;

/// <summary>Builds the callback URL to give PayEx when creating a payment or payment order for an order.</summary>
public static class CallbackUrl
{
    public const string OrderParameter = "order";
    public const string SignatureParameter = "sig";

    /// <summary>Where the Functions host reads a function key from in a URL.</summary>
    public const string CodeParameter = "code";

    /// <summary>
    /// <paramref name="callbackEndpoint"/> is the callback function's URL, e.g.
    /// https://myapp.azurewebsites.net/api/payex/callbacks; <paramref name="functionKey"/>, if given,
    /// is added as <c>code</c>.
    /// </summary>
    public static Uri For(Uri callbackEndpoint, string orderReference, string secret, string? functionKey = null)
    {
        ArgumentNullException.ThrowIfNull(callbackEndpoint);
        if (!callbackEndpoint.IsAbsoluteUri || callbackEndpoint.Query.Length > 0 || callbackEndpoint.Fragment.Length > 0)
        {
            throw new ArgumentException("The callback endpoint must be an absolute URL without a query or fragment.", nameof(callbackEndpoint));
        }

        var signature = CallbackSignature.Sign(orderReference, secret);
        var query = $"{OrderParameter}={Uri.EscapeDataString(orderReference)}&{SignatureParameter}={signature}";
        if (!string.IsNullOrEmpty(functionKey))
        {
            query += $"&{CodeParameter}={Uri.EscapeDataString(functionKey)}";
        }

        return new UriBuilder(callbackEndpoint) { Query = query }.Uri;
    }
}
