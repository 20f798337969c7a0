using System.Globalization;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// The status page as HTML: server-rendered, no script. Every value goes through <see cref="Html.Of"/>,
/// which encodes it: dead letters and callbacks hold text others chose.
/// </summary>
public static class StatusPage
{
    private const string Title = "PayEx callbacks: status";

    private const string PaymentAttemptTitle = "v3.1 payment orders: paymentOrder.number, the number of the payment attempt that triggered the callback (not a transaction number)";

    private const string ProcessingAttemptsTitle = "How often this app tried to process the callback, the last try included (2: it took a second attempt). A replay counts afresh.";

    private const string IdsTitle = "The callback's id (also in the logs and the stored rows), and under it the trace id of its processing (Application Insights)";

    // The columns of a recent callback's row; its detail, if any, is a row of its own under it, across them all.
    private const int RecentColumns = 9;

    // The columns of a dead letter's row; its reason is a row of its own under it.
    private const int DeadLetterColumns = 6;

    private const string NumbersTitle = "As the callback named them: a hint only (processing failed before, or without, PayEx confirming them). Hover for the PayEx paths; a number links to the payment's recent callbacks.";

    public static Html Render(StatusSnapshot snapshot, StatusNotice? notice, StatusLinks links, RecentFilter? filter = null) => Document(Html.Of($"""
        <header>
        <h1>{Title}</h1>
        <p>As of {Time(snapshot.At)} · <a href="{links.Page()}">Refresh</a></p>
        {KeyHint(links)}
        </header>
        {Notice(notice)}
        {Lag(snapshot)}
        {Rejected(snapshot.Rejected)}
        {PaymentsSection.Render(snapshot, links)}
        {TrackingSection.Render(snapshot.Tracking, links)}
        {EventsSection.Render(snapshot.Events, links)}
        {Recent(snapshot.Recent, filter, links)}
        {DeadLetters(snapshot, links)}
        """));

    /// <summary>A page for a button that could not do its work, with the way back.</summary>
    public static Html RenderMessage(string title, string detail, StatusLinks links) => Document(Html.Of($"""
        <h1>{title}</h1>
        <p class="error-box">{detail}</p>
        <p><a href="{links.Page()}">Back to the status page</a></p>
        """));

    // $$: single braces are the style sheet's, literal parts of the template; {{...}} are values.
    private static Html Document(Html body) => Html.Of($$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>{{Title}}</title>
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
        h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
        h2 { font-size: 1.1rem; margin: 1.75rem 0 .5rem; }
        p.note, header p { color: #555; margin: .25rem 0; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; vertical-align: top; padding: .3rem .4rem; border-bottom: 1px solid #ddd; }
        th { background: #f4f4f4; font-weight: 600; }
        td.id, .trace { font-family: ui-monospace, monospace; font-size: 11px; white-space: nowrap; }
        .trace { display: block; color: #555; margin-top: .15rem; }
        td.ref { font-size: 13px; white-space: nowrap; }
        td.actions { white-space: nowrap; } td.actions form { display: inline; }
        .replays, .replaying { display: block; font-size: 12px; color: #9a6700; white-space: normal; }
        time { white-space: nowrap; }
        td.num { text-align: right; white-space: nowrap; }
        td.time { text-align: right; } .day { white-space: nowrap; }
        /* A row's detail or reason: a row of its own, across the table, so that a PayEx path has the page's width. */
        tr:has(+ tr.detail) > td { border-bottom: 0; }
        tr.detail > td { padding: 0 .5rem .45rem 1.5rem; color: #444; }
        .reason { overflow-wrap: anywhere; }
        .outcome { font-weight: 600; }
        .processed, .acknowledged { color: #1a7f37; }
        .retried { color: #9a6700; }
        .dead_lettered, .rejected, .failed, .unavailable, .error { color: #cf222e; }
        .notice { padding: .5rem .75rem; background: #ddf4ff; border: 1px solid #54aeff; }
        .error-box { padding: .5rem .75rem; background: #ffebe9; border: 1px solid #ff8182; }
        dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; margin: 0; }
        dt { color: #555; } dd { margin: 0; }
        form { margin: 0; }
        button { font: inherit; cursor: pointer; }
        /* Payments: outside text (references, instrument) wraps anywhere rather than widen the table. */
        td.text, .text { overflow-wrap: anywhere; }
        td.text { min-width: 6rem; }
        .payee { display: block; color: #555; font-size: 13px; }
        td.ids { font-family: ui-monospace, monospace; font-size: 11px; white-space: nowrap; }
        td.ids .line, .version, .updated { display: block; }
        .label { font-family: system-ui, sans-serif; color: #555; }
        .version, .updated { font-size: 12px; color: #555; }
        td.amounts dl { gap: 0 .5rem; }
        td.amounts dd { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        td.amounts dd.zero { color: #888; }
        .badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: 12px; font-weight: 600; white-space: nowrap; background: #eaeef2; color: #1b1b1b; }
        .status-authorized { background: #ddf4ff; color: #0550ae; }
        .status-partially_captured, .status-partially_reversed { background: #fff8c5; color: #7d4e00; }
        .status-captured { background: #dafbe1; color: #116329; }
        .status-reversed { background: #fbefff; color: #6639ba; }
        .status-failed { background: #ffebe9; color: #a40e26; }
        form.search { margin: .5rem 0; }
        </style>
        </head>
        <body>
        {{body}}
        </body>
        </html>
        """);

    // Said only as far as it is true: the worker sees the request, not whether the host checks keys, except that
    // a request without any key reaching this admin-level function proves the host checks none.
    private static Html KeyHint(StatusLinks links) => links.Key switch
    {
        StatusKey.InHeader => Html.Of($"""<p class="error-box" id="key-hint">Opened with the key in a header, not in <code>?code=</code>: a browser's form cannot send a header, so where the host checks keys (in Azure; <code>func start --enableAuth</code>) the buttons below will be refused. Open the page as <code>{StatusPageRequests.Route}?code=&lt;admin key&gt;</code>.</p>"""),
        StatusKey.None => Html.Of($"""<p class="note" id="key-hint">This host checks no keys (<code>func start</code> without <code>--enableAuth</code>): the page and its buttons work without one. Where keys are checked, as in Azure, open it as <code>{StatusPageRequests.Route}?code=&lt;admin key&gt;</code>.</p>"""),
        _ => Html.Empty,
    };

    private static Html Notice(StatusNotice? notice) => notice switch
    {
        null => Html.Empty,
        { Kind: StatusNoticeKind.Replayed } => Html.Of($"""<p class="notice" role="status">Dead letter {notice.Id} is back on the callback queue; it shows among the recent callbacks once processed.</p>"""),
        { Kind: StatusNoticeKind.Discarded } => Html.Of($"""<p class="notice" role="status">Dead letter {notice.Id} was discarded: its callback is not processed unless PayEx delivers it again.</p>"""),
        { Kind: StatusNoticeKind.EventReplayed } => Html.Of($"""<p class="notice" role="status">Event {notice.Id} was sent again: it is delivered, or waits for its sink's next attempt (see Events).</p>"""),
        { Kind: StatusNoticeKind.EventDiscarded } => Html.Of($"""<p class="notice" role="status">Event {notice.Id} was discarded: it is not sent again.</p>"""),
        { Kind: StatusNoticeKind.ReplayedKept } => Html.Of($"""<p class="notice" role="status">Dead letter {notice.Id} is back on the callback queue, but it failed again meanwhile: its new dead letter stays.</p>"""),
        _ => Html.Of($"""<p class="notice" role="status">{Count(notice.Count, "dead letter is", "dead letters are")} back on the callback queue{(notice.Failed > 0 ? Html.Of($"; {notice.Failed} could not be replayed (no callback in them: read them with the admin API)") : Html.Empty)}{(notice.More ? Html.Of($"; more remain: replay all again") : Html.Empty)}.</p>"""),
    };

    private static Html Lag(StatusSnapshot snapshot)
    {
        var backlog = snapshot.Backlog is { } b
            ? Html.Of($"""
                <dt>Messages on the queue</dt><dd id="waiting">{b.Waiting} on {snapshot.CallbackQueue}</dd>
                <dt>Oldest waiting</dt><dd id="oldest-waiting">{(b.Waiting == 0 ? "nothing waits" : Duration(b.OldestAge))}</dd>
                <dt>Poison queue</dt><dd id="poisoned">{b.Poisoned} on {snapshot.PoisonQueue}</dd>
                """)
            : Html.Of($"""<dt>Queues</dt><dd class="error" id="backlog-error">Could not read the queues: storage did not answer. The rest of the page is as far as it could be read.</dd>""");
        var lag = snapshot.Lag is { } l
            ? Html.Of($"""<dt>Lag, received to stored</dt><dd id="lag">p50 {Duration(l.P50)}, p95 {Duration(l.P95)}, max {Duration(l.Max)} (the last {l.Count} processed on this instance)</dd>""")
            : Html.Of($"""<dt>Lag, received to stored</dt><dd id="lag">no callback processed on this instance since it started</dd>""");
        return Html.Of($"""
            <section id="backlog">
            <h2>Current lag</h2>
            <dl>
            {backlog}
            {lag}
            </dl>
            </section>
            """);
    }

    // Refused for their content after the key and signature checks: a format change by PayEx shows here first.
    private static Html Rejected(RejectedCount? rejected)
    {
        var content = rejected switch
        {
            null => Html.Of($"""<p class="error" id="rejected-error">Could not read the rejected callbacks: storage did not answer.</p>"""),
            { Distinct: 0 } => Html.Of($"""<p id="rejected-today">None today ({rejected.Day}, UTC).</p>"""),
            _ => Html.Of($"""<p id="rejected-today" class="rejected">{Count(rejected.Distinct, "distinct callback", "distinct callbacks")} rejected for their content today ({rejected.Day}, UTC); a row counts the repeats of its rejection.</p>"""),
        };
        var full = rejected is { Full: true }
            ? Html.Of($"""<p class="error-box" id="rejected-full">The day's limit of {rejected.MaxPerDay} distinct rejections (Callbacks__MaxRejectedPerDay) is reached: new ones today are counted in the metric payex.callbacks.rejected only.</p>""")
            : Html.Empty;
        var day = rejected?.Day ?? "yyyy-MM-dd";
        return Html.Of($"""
            <section id="rejected">
            <h2>Rejected callbacks</h2>
            {content}
            {full}
            <p class="note" id="rejected-list">To list them: <code>npm run rejected -- {day}</code> in the repository (it reads AzureWebJobsStorage), or the table {rejected?.Table ?? "of Storage__RejectedCallbacksTable"}, partition {day}.</p>
            </section>
            """);
    }

    private static Html Recent(IReadOnlyList<RecentCallback> all, RecentFilter? filter, StatusLinks links)
    {
        var callbacks = filter is null ? all : all.Where(filter.Matches).ToArray();
        var filtered = filter is null
            ? Html.Empty
            : Html.Of($"""<p class="notice" id="recent-filter">Only the callbacks of {filter.Describe()}: {callbacks.Count} of the {all.Count} this instance remembers. <a href="{links.Page()}#recent">Show all</a></p>""");
        var rows = callbacks.Count == 0
            ? Html.Of($"""<tr><td colspan="{RecentColumns}">{(filter is null ? "None since this instance started." : "None of them on this instance.")}</td></tr>""")
            : Html.Join(callbacks.Select(c => Html.Of($"""
                <tr data-id="{c.Id}">
                <td class="time">{InCell(c.ReceivedAt)}</td>
                <td class="id">{c.Id}{(c.TraceId is null ? Html.Empty : Html.Of($"<span class=\"trace\" title=\"Trace id\">{c.TraceId}</span>"))}</td>
                <td>{c.Shape?.ToString()}</td>
                <td class="num">{(c.PaymentNumber is { } number ? Html.Of($"<a href=\"{links.Payment(number)}\">{number}</a>") : Html.Empty)}</td>
                <td class="num">{c.TransactionNumber}</td>
                <td class="num">{c.PaymentAttemptNumber}</td>
                <td class="outcome {c.Outcome}">{c.Outcome}</td>
                <td class="num attempts">{c.ProcessingAttempts}{(c.Replays > 0 ? Html.Of($"""<span class="replays">after {Count(c.Replays, "replay", "replays")}</span>""") : Html.Empty)}</td>
                <td class="num">{(c.Lag is { } lag ? Duration(lag) : "")}</td>
                </tr>
                {(c.Detail is null ? Html.Empty : Html.Of($"""<tr class="detail" data-detail-of="{c.Id}"><td colspan="{RecentColumns}" class="reason">{c.Detail}</td></tr>"""))}
                """)));
        return Html.Of($"""
            <section id="recent">
            <h2>Recent callbacks</h2>
            <p class="note">This instance, newest first; Application Insights has all instances.</p>
            {filtered}
            <table>
            <thead><tr><th>Received</th><th title="{IdsTitle}">Callback id, trace id</th><th>Shape</th><th>Payment number</th><th>Transaction number</th><th title="{PaymentAttemptTitle}">Payment attempt (v3.1)</th><th>Outcome</th><th title="{ProcessingAttemptsTitle}">Processing attempts</th><th>Lag</th></tr></thead>
            <tbody>
            {rows}
            </tbody>
            </table>
            </section>
            """);
    }

    private static Html DeadLetters(StatusSnapshot snapshot, StatusLinks links)
    {
        Html content;
        if (snapshot.DeadLetters is not { } deadLetters)
        {
            content = Html.Of($"""<p class="error-box" id="dead-letters-error">Could not read the dead letters: storage did not answer.</p>""");
        }
        else if (deadLetters.Count == 0)
        {
            content = Html.Of($"""<p id="no-dead-letters">None.</p>""");
        }
        else
        {
            var more = snapshot.MoreDeadLetters
                ? Html.Of($"""<p class="note">The first {StatusSnapshot.DeadLetterLimit} (by id); the admin API, GET /api/payex/deadletters, pages through all.</p>""")
                : Html.Empty;
            content = Html.Of($"""
                <form method="post" action="{links.ReplayAll()}"><p><button type="submit" id="replay-all">Replay all</button> puts every dead letter back on the callback queue, with a fresh attempt count.</p></form>
                {more}
                <table>
                <thead><tr><th>Id</th><th>Dead-lettered</th><th>Origin</th><th>Attempts</th><th title="{NumbersTitle}">Payment (as the callback named it)</th><th></th></tr></thead>
                <tbody>
                {Html.Join(deadLetters.Select(d => DeadLetterRow(d, snapshot.At, links)))}
                </tbody>
                </table>
                """);
        }

        return Html.Of($"""
            <section id="dead-letters">
            <h2>Dead letters</h2>
            {content}
            </section>
            """);
    }

    private static Html DeadLetterRow(DeadLetter d, DateTimeOffset now, StatusLinks links) => Html.Of($"""
        <tr data-id="{d.Id}">
        <td class="id"><a href="{links.DeadLetter(d.Id)}" title="The dead letter as JSON, with the queue message it came from (admin API)">{d.Id}</a></td>
        <td class="time">{InCell(d.DeadLetteredAt)}{Replays(d, now)}</td>
        <td>{d.Origin.ToString()}</td>
        <td class="num">{d.Attempts}</td>
        <td class="ref" title="{string.Join("\n", new[] { d.PaymentOrder, d.Payment, d.Transaction }.OfType<string>())}">{Numbers(d, links)}</td>
        <td class="actions"><form method="post" action="{links.Replay(d.Id)}"><button type="submit">Replay</button></form> <form method="post" action="{links.Discard(d.Id)}"><button type="submit">Discard</button></form></td>
        </tr>
        <tr class="detail" data-detail-of="{d.Id}"><td colspan="{DeadLetterColumns}" class="reason">{d.Reason}</td></tr>
        """);

    // A dead letter that came back from a replay says so, and one a replay holds now says that.
    private static Html Replays(DeadLetter d, DateTimeOffset now)
    {
        var again = d.ReplayCount > 0
            ? Html.Of($"""<span class="replays">failed again after {Count(d.ReplayCount, "replay", "replays")}{(d.LastReplayedAt is { } at ? Html.Of($", the last at {Stamp(at)}") : Html.Empty)}</span>""")
            : Html.Empty;
        var replaying = d.IsBeingReplayed(now) && d.ReplayClaimedAt is { } since
            ? Html.Of($"""<span class="replaying">replay in progress since {Stamp(since)}</span>""")
            : Html.Empty;
        return Html.Of($"{again}{replaying}");
    }

    // What the callback named, by number where it gave one; the number links to the payment's recent callbacks.
    private static Html Numbers(DeadLetter d, StatusLinks links)
    {
        var lines = new List<Html>(4);
        if (d.PaymentNumber is { } payment)
        {
            lines.Add(Html.Of($"""payment <a href="{links.Payment(payment)}">{payment}</a>"""));
        }
        else if (d.Payment is not null)
        {
            lines.Add(Html.Of($"payment (no number)"));
        }

        if (d.TransactionNumber is { } transaction)
        {
            lines.Add(Html.Of($"transaction {transaction}"));
        }

        if (d.Shape == Callbacks.CallbackShape.PaymentOrderV31 && d.PaymentOrderNumber is { } attempt)
        {
            lines.Add(Html.Of($"attempt {attempt}"));
        }

        if (d.PaymentOrder is { } order && Guid.TryParse(order[(order.LastIndexOf('/') + 1)..], out var orderId))
        {
            lines.Add(Html.Of($"""<a href="{links.PaymentOrder(orderId)}">payment order</a>"""));
        }

        return lines.Count == 0 ? Html.Of($"—") : Html.Join(lines.Select((line, i) => i == 0 ? line : Html.Of($"<br>{line}")));
    }

    /// <summary>The discard's confirm step: what would be lost, and the button that discards it.</summary>
    public static Html RenderDiscard(DeadLetter d, string seen, StatusLinks links)
    {
        ArgumentNullException.ThrowIfNull(d);
        return Document(Html.Of($"""
            <h1>Discard dead letter {d.Id}?</h1>
            <dl id="discard-details">
            <dt>Dead-lettered</dt><dd>{Time(d.DeadLetteredAt)}, {d.Origin.ToString()}, after {Count(d.Attempts, "attempt", "attempts")}{(d.ReplayCount > 0 ? Html.Of($" (it failed again after {Count(d.ReplayCount, "replay", "replays")})") : Html.Empty)}</dd>
            <dt>The callback named</dt><dd>{Numbers(d, links)}</dd>
            <dt>Reason</dt><dd class="reason">{d.Reason}</dd>
            </dl>
            <p class="error-box">Discarding deletes it for good: its callback is not processed unless PayEx delivers it again. If its cause is fixed, replay it instead.</p>
            <form method="post" action="{links.Discard(d.Id)}">
            <input type="hidden" name="{StatusPageRequests.ConfirmField}" value="yes">
            <input type="hidden" name="{StatusPageRequests.SeenField}" value="{seen}">
            <p><button type="submit" id="confirm-discard">Discard for good</button> <a href="{links.Page()}">Cancel: back to the status page</a></p>
            </form>
            """));
    }

    internal static string Count(int count, string one, string many) => string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");

    // A time inside text that wraps: never broken at its own hyphens.
    private static Html Stamp(DateTimeOffset at) => Html.Of($"<time>{Time(at)}</time>");

    // A time in a table's column: the day, and the time under it where the column is narrow; never broken at a hyphen.
    internal static Html InCell(DateTimeOffset at) => Html.Of($"""<span class="day">{at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}</span> {at.UtcDateTime.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture)}""");

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>As an operator reads it: 850 ms, 4.2 s, 3 min 5 s, 2 h 10 min, 3 d 4 h.</summary>
    public static string Duration(TimeSpan span)
    {
        var invariant = CultureInfo.InvariantCulture;
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        return span switch
        {
            { TotalSeconds: < 1 } => string.Create(invariant, $"{span.TotalMilliseconds:0} ms"),
            { TotalMinutes: < 1 } => string.Create(invariant, $"{span.TotalSeconds:0.0} s"),
            { TotalHours: < 1 } => string.Create(invariant, $"{span.Minutes} min {span.Seconds} s"),
            { TotalDays: < 1 } => string.Create(invariant, $"{span.Hours} h {span.Minutes} min"),
            _ => string.Create(invariant, $"{(int)span.TotalDays} d {span.Hours} h"),
        };
    }
}
