using Microsoft.AspNetCore.WebUtilities;
using PayExCallbackFunctions.Access;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// The page's own URLs. Each carries the <c>?code=</c> the page was opened with, so that its forms
/// and redirects keep the admin key (a form cannot send the <c>x-functions-key</c> header).
/// </summary>
public sealed class StatusLinks
{
    private readonly string? _code;

    private StatusLinks(string? code) => _code = code;

    /// <summary>True if the page was opened with <c>?code=</c>; else its buttons will be refused (401).</summary>
    public bool CarryKey => _code is not null;

    public static StatusLinks For(HttpRequest request) =>
        new(request.Query[CallbackUrl.CodeParameter].FirstOrDefault() is { Length: > 0 } code ? code : null);

    public string Page(StatusNotice? notice = null) => WithCode(StatusPageRequests.Route, notice?.ToQuery() ?? []);

    public string Replay(string id) => WithCode($"{StatusPageRequests.Route}/deadletters/{Uri.EscapeDataString(id)}/replay", []);

    public string ReplayAll() => WithCode($"{StatusPageRequests.Route}/deadletters/replay", []);

    private string WithCode(string path, IEnumerable<KeyValuePair<string, string?>> query) =>
        QueryHelpers.AddQueryString(path, _code is null ? query : query.Prepend(new(CallbackUrl.CodeParameter, _code)));
}
