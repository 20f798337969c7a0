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

    public string Discard(string id) => WithCode($"{StatusPageRequests.Route}/deadletters/{Uri.EscapeDataString(id)}/discard", []);

    /// <summary>The admin API's JSON of one dead letter, with the queue message it came from.</summary>
    public string DeadLetter(string id) => WithCode($"{DeadLettersRoute}/{Uri.EscapeDataString(id)}", []);

    /// <summary>The page, its recent callbacks only those of the payment of that number.</summary>
    public string Payment(long number) =>
        WithCode(StatusPageRequests.Route, [new(RecentFilter.PaymentParameter, number.ToString(System.Globalization.CultureInfo.InvariantCulture))]) + "#recent";

    /// <summary>The page, its recent callbacks only those of that payment order.</summary>
    public string PaymentOrder(Guid id) => WithCode(StatusPageRequests.Route, [new(RecentFilter.PaymentOrderParameter, id.ToString())]) + "#recent";

    private const string DeadLettersRoute = "/api/payex/deadletters";

    private string WithCode(string path, IEnumerable<KeyValuePair<string, string?>> query) =>
        QueryHelpers.AddQueryString(path, _code is null ? query : query.Prepend(new(CallbackUrl.CodeParameter, _code)));
}
