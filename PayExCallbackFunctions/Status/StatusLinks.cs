using Microsoft.AspNetCore.WebUtilities;
using PayExCallbackFunctions.Access;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// The page's own URLs. Each carries the <c>?code=</c> the page was opened with, so that its forms
/// and redirects keep the admin key (a form cannot send the <c>x-functions-key</c> header).
/// </summary>
public sealed class StatusLinks
{
    // What the host takes as a credential besides ?code=: the key header, and the platform's own admin tokens.
    private static readonly string[] CredentialHeaders = ["x-functions-key", "Authorization", "x-ms-site-restricted-token"];

    private readonly string? _code;

    private StatusLinks(string? code, StatusKey key)
    {
        _code = code;
        Key = key;
    }

    /// <summary>How the page's request carried the admin key, and so whether its buttons' posts will.</summary>
    public StatusKey Key { get; }

    public static StatusLinks For(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Query[CallbackUrl.CodeParameter].FirstOrDefault() is { Length: > 0 } code)
        {
            return new(code, StatusKey.InQuery);
        }

        return new(null, CredentialHeaders.Any(h => request.Headers[h].Any(v => !string.IsNullOrEmpty(v))) ? StatusKey.InHeader : StatusKey.None);
    }

    public string Page(StatusNotice? notice = null) => WithCode(StatusPageRequests.Route, notice?.ToQuery() ?? []);

    public string Replay(string id) => WithCode($"{StatusPageRequests.Route}/deadletters/{Uri.EscapeDataString(id)}/replay", []);

    public string ReplayAll() => WithCode($"{StatusPageRequests.Route}/deadletters/replay", []);

    public string Discard(string id) => WithCode($"{StatusPageRequests.Route}/deadletters/{Uri.EscapeDataString(id)}/discard", []);

    public string ReplayEvent(string id) => WithCode($"{StatusPageRequests.Route}/events/{Uri.EscapeDataString(id)}/replay", []);

    public string DiscardEvent(string id) => WithCode($"{StatusPageRequests.Route}/events/{Uri.EscapeDataString(id)}/discard", []);

    /// <summary>The admin API's JSON of one dead letter, with the queue message it came from.</summary>
    public string DeadLetter(string id) => WithCode($"{DeadLettersRoute}/{Uri.EscapeDataString(id)}", []);

    /// <summary>The page, its recent callbacks only those of the payment of that number.</summary>
    public string Payment(long number) =>
        WithCode(StatusPageRequests.Route, [new(RecentFilter.PaymentParameter, number.ToString(System.Globalization.CultureInfo.InvariantCulture))]) + "#recent";

    /// <summary>The page, its recent callbacks only those of that payment order.</summary>
    public string PaymentOrder(Guid id) => WithCode(StatusPageRequests.Route, [new(RecentFilter.PaymentOrderParameter, id.ToString())]) + "#recent";

    /// <summary>The page, with the payments found by that order reference.</summary>
    public string OrderReference(string value) => WithCode(StatusPageRequests.Route, [new(OrderReferenceSearch.Parameter, value)]) + "#payments";

    /// <summary>Where the search form sends its GET; the key goes as a field of it (<see cref="Code"/>), as a GET form replaces its action's query.</summary>
    public static string Search() => StatusPageRequests.Route + "#payments";

    /// <summary>The key the page was opened with in <c>?code=</c>, if so: already in each of its links, and for its search form to carry on.</summary>
    public string? Code => _code;

    private const string DeadLettersRoute = "/api/payex/deadletters";

    private string WithCode(string path, IEnumerable<KeyValuePair<string, string?>> query) =>
        QueryHelpers.AddQueryString(path, _code is null ? query : query.Prepend(new(CallbackUrl.CodeParameter, _code)));
}

/// <summary>Where the request for the page carried its key: the worker sees the request, not the host's checks.</summary>
public enum StatusKey
{
    /// <summary>In <c>?code=</c>: the page's links and forms carry it on.</summary>
    InQuery,

    /// <summary>In a header: a browser's form cannot send it, so where the host checks keys the buttons are refused.</summary>
    InHeader,

    /// <summary>
    /// None at all, yet the host ran this admin-level function: the host checks no keys (<c>func start</c>
    /// without <c>--enableAuth</c>). Where it checks them, such a request is answered 401 before the worker.
    /// </summary>
    None,
}
