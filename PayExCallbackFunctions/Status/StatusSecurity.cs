namespace PayExCallbackFunctions.Status;

/// <summary>The status page's defences beyond the admin key: response headers, and no cross-site posts.</summary>
public static class StatusSecurity
{
    /// <summary>No script, no framing, forms only to this app; styles inline only.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

    public const string FetchSiteHeader = "Sec-Fetch-Site";

    public static void AddHeaders(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        // The URL carries the admin key (?code=): it must not leave in a Referer, nor stay in a cache.
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
    }

    /// <summary>
    /// Refuses a post a browser says came from another site. Without the key such a post fails
    /// anyway; this also stops one from a page that somehow holds it. A browser posting from the page
    /// itself says <c>same-origin</c>; clients other than browsers send no such header.
    /// </summary>
    public static IResult? RefuseCrossSite(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var site = request.Headers[FetchSiteHeader].ToString();
        return string.Equals(site, "cross-site", StringComparison.OrdinalIgnoreCase) || string.Equals(site, "same-site", StringComparison.OrdinalIgnoreCase)
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Cross-site requests are refused.",
                detail: "Use the buttons of the status page itself.")
            : null;
    }
}
