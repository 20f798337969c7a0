using System.Globalization;
using PayExCallbackFunctions.Payments;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// The page's payments: the search by order reference and what it found, and the payments whose status changed
/// last. References and instruments are the merchant's and PayEx's text: neutralised, cut, and encoded.
/// </summary>
public static class PaymentsSection
{
    // PayEx allows 50 characters in a reference; a longer text (as PayEx answered it) is cut here.
    private const int MaxReferenceLength = 60;
    private const int MaxInstrumentLength = 40;

    private const string ChangedTitle = "When the app last saw the status or an amount change (each change is a new version)";
    private const string CheckedTitle = "When the app last read the payment from PayEx; PayEx's own last change under it";
    private const string IdsTitle = "The payment order's id (v2, v3.x) and the payment's, and the payment's number (v3.1: the number of the attempt that paid); an id links to its recent callbacks";

    public static Html Render(StatusSnapshot snapshot, StatusLinks links)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(links);
        var recent = snapshot.Payments switch
        {
            null => Html.Of($"""<p class="error-box" id="payments-error">Could not read the recent payments: storage did not answer.</p>"""),
            { Count: 0 } => Html.Of($"""<p id="no-payments">None yet. A payment is listed when its status changes; one stored before this version of the app, at its next callback.</p>"""),
            // Under what a search found, said apart from it.
            var payments when snapshot.Search is not null => Html.Of($"""<p class="note" id="recent-payments-note">And the recent payments, newest first:</p>{Table("recent-payments", payments, links)}"""),
            var payments => Table("recent-payments", payments, links),
        };
        return Html.Of($"""
            <section id="payments">
            <h2>Recent payments</h2>
            <p class="note">The last {StatusPayments.Shown} whose status or amounts changed, newest first, on all instances; each as stored when PayEx was last read.</p>
            {Form(snapshot.Search, links)}
            {Found(snapshot, links)}
            {recent}
            </section>
            """);
    }

    // A GET form replaces its action's query: the key goes as a field.
    private static Html Form(OrderReferenceSearch? search, StatusLinks links) => Html.Of($"""
        <form method="get" action="{StatusLinks.Search()}" id="payment-search" class="search">
        {(links.Code is { } code ? Html.Of($"""<input type="hidden" name="code" value="{code}">""") : Html.Empty)}
        <label>Order reference <input type="search" name="{OrderReferenceSearch.Parameter}" value="{search?.OrderReference}" maxlength="{PaymentReference.MaxLength}" size="40" required></label>
        <button type="submit">Find</button>
        </form>
        """);

    private static Html Found(StatusSnapshot snapshot, StatusLinks links)
    {
        if (snapshot.Search is not { } search)
        {
            return Html.Empty;
        }

        var back = Html.Of($"""<a href="{links.Page()}#payments">Show the recent payments only</a>""");
        if (snapshot.Found is not { } found)
        {
            return Html.Of($"""<p class="error-box" id="payments-found">Could not search for order reference “<span class="text">{search.OrderReference}</span>”: storage did not answer. {back}</p>""");
        }

        if (found.Indexed == 0)
        {
            return Html.Of($"""<p class="notice" id="payments-found">No payment has order reference “<span class="text">{found.OrderReference}</span>”. The search is exact: case and spaces count. {back}</p>""");
        }

        var more = found.Indexed > found.Payments.Count + found.WithoutStatus
            ? Html.Of($"; the {StatusPayments.Shown} indexed last are shown")
            : Html.Empty;
        var pending = found.WithoutStatus > 0
            ? Html.Of($"; {StatusPage.Count(found.WithoutStatus, "has", "have")} no status stored yet (being written, or retried after a failed write)")
            : Html.Empty;
        var table = found.Payments.Count == 0 ? Html.Empty : Table("found-payments", found.Payments, links);
        return Html.Of($"""
            <p class="notice" id="payments-found">Order reference “<span class="text">{found.OrderReference}</span>”: {StatusPage.Count(found.Indexed, "payment", "payments")}{more}{pending}. {back}</p>
            {table}
            """);
    }

    private static Html Table(string id, IEnumerable<ShownPayment> payments, StatusLinks links) => Html.Of($"""
        <table id="{id}">
        <thead><tr><th title="{ChangedTitle}">Changed</th><th>Status</th><th>Amounts</th><th>Order reference, payee reference</th><th>Instrument</th><th title="{IdsTitle}">Payment order, payment</th><th title="{CheckedTitle}">Checked</th></tr></thead>
        <tbody>
        {Html.Join(payments.Select(p => Row(p, links)))}
        </tbody>
        </table>
        """);

    private static Html Row(ShownPayment payment, StatusLinks links)
    {
        var row = payment.Row;
        var s = row.Snapshot;
        return Html.Of($"""
            <tr data-id="{payment.Key.ToString("D")}">
            <td class="time">{(row.ChangedAt is { } changed ? StatusPage.InCell(changed) : Html.Empty)}</td>
            <td class="status">{Badge(s.Status)}<span class="version">version {row.Version}</span></td>
            <td class="amounts">{Amounts(s)}</td>
            <td class="text">{References(s, links)}</td>
            <td class="text">{OutsideText.Neutralise(s.Instrument, MaxInstrumentLength)}</td>
            <td class="ids">{Ids(s, links)}</td>
            <td class="time">{StatusPage.InCell(row.CheckedAt)}{(s.Updated is { } updated ? Html.Of($"""<span class="updated" title="PayEx's own last change">PayEx {StatusPage.InCell(updated)}</span>""") : Html.Empty)}</td>
            </tr>
            """);
    }

    /// <summary>The status in words, coloured by what it means for the merchant's money.</summary>
    public static Html Badge(string status)
    {
        var known = PaymentStatus.All.Contains(status, StringComparer.Ordinal);
        var text = known ? status.Replace('_', ' ') : OutsideText.Neutralise(status, 30);
        return Html.Of($"""<span class="badge{(known ? Html.Of($" status-{status}") : Html.Empty)}">{text}</span>""");
    }

    private static Html Amounts(PaymentSnapshot s)
    {
        var lines = new List<(string Label, long Amount)>(5);
        if (s.Amount is { } amount)
        {
            lines.Add(("amount", amount));
        }

        lines.Add(("authorized", s.AuthorizedAmount));
        lines.Add(("captured", s.CapturedAmount));
        lines.Add(("cancelled", s.CancelledAmount));
        lines.Add(("reversed", s.ReversedAmount));
        return Html.Of($"""<dl>{Html.Join(lines.Select(l => Html.Of($"""<dt>{l.Label}</dt><dd class="{(l.Amount == 0 ? "zero" : "money")}">{MinorUnits.Format(l.Amount, s.Currency)}</dd>""")))}</dl>""");
    }

    // An order reference PayEx could have links to the search for it.
    private static Html References(PaymentSnapshot s, StatusLinks links)
    {
        var order = s.OrderReference is null
            ? Html.Of($"—")
            : PaymentReference.IsValid(s.OrderReference)
                ? Html.Of($"""<a href="{links.OrderReference(s.OrderReference)}" title="Find the payments of this order reference">{OutsideText.Neutralise(s.OrderReference, MaxReferenceLength)}</a>""")
                : Html.Of($"{OutsideText.Neutralise(s.OrderReference, MaxReferenceLength)}");
        var payee = s.PayeeReference is null ? Html.Empty : Html.Of($"""<span class="payee" title="Payee reference">{OutsideText.Neutralise(s.PayeeReference, MaxReferenceLength)}</span>""");
        return Html.Of($"{order}{payee}");
    }

    private static Html Ids(PaymentSnapshot s, StatusLinks links)
    {
        var lines = new List<Html>(3);
        if (IdOf(s.PaymentOrder) is { } order)
        {
            lines.Add(Html.Of($"""<span class="label">order</span> <a href="{links.PaymentOrder(order)}" title="Its recent callbacks">{order.ToString("D")}</a>"""));
        }

        if (IdOf(s.Payment) is { } payment)
        {
            lines.Add(Html.Of($"""<span class="label">payment</span> {payment.ToString("D")}"""));
        }

        if (s.Number is { } number)
        {
            lines.Add(Html.Of($"""<span class="label">number</span> {number.ToString(CultureInfo.InvariantCulture)}"""));
        }

        return lines.Count == 0 ? Html.Of($"—") : Html.Join(lines.Select(l => Html.Of($"""<span class="line">{l}</span>""")));
    }

    // A PayEx path's id: the GUID that ends it.
    private static Guid? IdOf(string? path) =>
        path is not null && Guid.TryParse(path[(path.LastIndexOf('/') + 1)..], out var id) ? id : null;
}
