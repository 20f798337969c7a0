using PayExCallbackFunctions.Callbacks;
using Microsoft.AspNetCore.Http;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Status;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Tests.Status;

/// <summary>The status page's parts without the app: encoding, figures, notices.</summary>
public class StatusRenderingTests
{
    [Fact]
    public void Every_interpolated_value_is_encoded_and_only_markup_built_as_Html_is_not()
    {
        var value = "<b onclick=\"x\">'&";
        var inner = Html.Of($"<i>{value}</i>");

        var html = Html.Of($"<p title=\"{value}\">{value}{inner}{42}{(string?)null}</p>").ToString();

        Assert.Equal("<p title=\"&lt;b onclick=&quot;x&quot;&gt;&#x27;&amp;\">&lt;b onclick=&quot;x&quot;&gt;&#x27;&amp;<i>&lt;b onclick=&quot;x&quot;&gt;&#x27;&amp;</i>42</p>", html);
    }

    [Fact]
    public void Lag_percentiles_are_by_nearest_rank()
    {
        var lags = Enumerable.Range(1, 20).Select(s => TimeSpan.FromSeconds(s)).Reverse();

        var summary = LagSummary.Of(lags)!;

        Assert.Equal(20, summary.Count);
        Assert.Equal(TimeSpan.FromSeconds(10), summary.P50);
        Assert.Equal(TimeSpan.FromSeconds(19), summary.P95);
        Assert.Equal(TimeSpan.FromSeconds(20), summary.Max);
        Assert.Equal(TimeSpan.FromSeconds(3), LagSummary.Of([TimeSpan.FromSeconds(3)])!.P95);
        Assert.Null(LagSummary.Of([]));
    }

    [Theory]
    [InlineData(0.25, "250 ms")]
    [InlineData(4.25, "4.3 s")]
    [InlineData(185, "3 min 5 s")]
    [InlineData(7800, "2 h 10 min")]
    [InlineData(273600, "3 d 4 h")]
    [InlineData(-1, "0 ms")]
    public void Durations_read_as_an_operator_reads_them(double seconds, string expected) =>
        Assert.Equal(expected, StatusPage.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void A_notice_goes_through_the_query_and_back_and_an_unknown_one_is_none()
    {
        var notice = StatusNotice.Of(new ReplayAllResult(3, [new ReplayFailure("a", "b")], More: true));

        var back = StatusNotice.From(new QueryCollection(notice.ToQuery().ToDictionary(p => p.Key, p => new Microsoft.Extensions.Primitives.StringValues(p.Value))));

        Assert.Equal(notice, back);
        Assert.Null(StatusNotice.From(new QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues> { ["notice"] = "YouHaveBeenHacked" })));
        Assert.Null(StatusNotice.From(new QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues> { ["notice"] = "7" })));
    }

    [Fact]
    public void The_replay_all_notice_counts_in_words()
    {
        var snapshot = new StatusSnapshot(DateTimeOffset.UnixEpoch, "q", "q-poison", null, [], null, [], false);
        var links = StatusLinks.For(new DefaultHttpContext().Request);

        var one = StatusPage.Render(snapshot, new StatusNotice(StatusNoticeKind.ReplayedAll, Count: 1), links).ToString();
        var many = StatusPage.Render(snapshot, new StatusNotice(StatusNoticeKind.ReplayedAll, Count: 2, Failed: 1, More: true), links).ToString();

        Assert.Contains(">1 dead letter is back on the callback queue.</p>", one);
        Assert.Contains(">2 dead letters are back on the callback queue; 1 could not be replayed (no callback in them: read them with the admin API); more remain: replay all again.</p>", many);
    }

    [Fact]
    public void A_v3_1_callbacks_number_is_shown_as_its_attempt_number_not_as_a_transaction_number()
    {
        var v31 = new RecentCallback("a1", DateTimeOffset.UnixEpoch, CallbackShape.PaymentOrderV31, null, null, 12345678, "7e6cdfc3-1276-44e9-9992-7cf4419750e1", "processed", null, null, DateTimeOffset.UnixEpoch, null);
        var v1 = new RecentCallback("b2", DateTimeOffset.UnixEpoch, CallbackShape.V1Nested, 222222222, 333333333, null, null, "processed", null, null, DateTimeOffset.UnixEpoch, null);
        var snapshot = new StatusSnapshot(DateTimeOffset.UnixEpoch, "q", "q-poison", null, [v31, v1], null, [], false);

        var html = StatusPage.Render(snapshot, null, StatusLinks.For(new DefaultHttpContext().Request)).ToString();

        var headers = System.Text.RegularExpressions.Regex.Matches(Section(html, "recent"), "<th[^>]*>([^<]*)</th>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["Payment number", "Transaction number", "Payment attempt (v3.1)"], headers.Skip(3).Take(3));
        Assert.Equal(["", "", "12345678"], Cells(Row(html, "recent", "a1")).Skip(3).Take(3));
        Assert.Equal(["222222222", "333333333", ""], Cells(Row(html, "recent", "b2")).Skip(3).Take(3));
    }

    [Fact]
    public void A_callback_shows_how_many_attempts_processing_it_took_and_its_detail_across_the_table()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var recent = new RecentCallbacks(Microsoft.Extensions.Options.Options.Create(new TelemetryOptions()), time);
        var envelope = new CallbackEnvelope { Id = "c1", Shape = CallbackShape.V1Nested, ReceivedAt = DateTimeOffset.UnixEpoch, RawBody = "{}", PaymentNumber = 222222222 };
        recent.Record("c1", envelope, CallbackOutcomes.Acknowledged);
        Assert.Null(recent.Snapshot().Single().ProcessingAttempts);
        recent.Record("c1", envelope, CallbackOutcomes.Retried, "GET /psp/creditcard/payments/p answered 503 Service Unavailable.", processingAttempt: 1);
        var retried = StatusPage.Render(new StatusSnapshot(DateTimeOffset.UnixEpoch, "q", "q-poison", null, recent.Snapshot(), null, [], false), null, StatusLinks.For(Request("code=k"))).ToString();
        // A replayed callback's envelope says so; its attempts count afresh.
        recent.Record("c1", envelope with { Replays = new ReplayHistory(1, DateTimeOffset.UnixEpoch) }, CallbackOutcomes.Processed, lag: TimeSpan.FromSeconds(3), processingAttempt: 2);
        var processed = StatusPage.Render(new StatusSnapshot(DateTimeOffset.UnixEpoch, "q", "q-poison", null, recent.Snapshot(), null, [], false), null, StatusLinks.For(Request("code=k"))).ToString();

        var headers = System.Text.RegularExpressions.Regex.Matches(Section(processed, "recent"), "<th[^>]*>([^<]*)</th>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["processed", "2after 1 replay"], Cells(Row(processed, "recent", "c1")).Skip(6).Take(2));
        Assert.Equal(["Outcome", "Processing attempts"], headers.Skip(6).Take(2));
        Assert.Equal(["retried", "1"], Cells(Row(retried, "recent", "c1")).Skip(6).Take(2));
        // The failure's detail: a row of its own under the callback's, across all its columns; none once processed.
        Assert.Contains($"<tr class=\"detail\" data-detail-of=\"c1\"><td colspan=\"{headers.Count}\" class=\"reason\">GET /psp/creditcard/payments/p answered 503 Service Unavailable.</td></tr>", retried);
        Assert.DoesNotContain("data-detail-of", processed);
    }

    [Fact]
    public void Todays_rejected_callbacks_are_counted_with_how_to_list_them_and_a_full_day_or_unreadable_table_says_so()
    {
        static string Render(RejectedCount? rejected) => Section(StatusPage.Render(
            new StatusSnapshot(DateTimeOffset.UnixEpoch, "q", "q-poison", null, [], null, [], false, rejected), null, StatusLinks.For(Request("code=k"))).ToString(), "rejected");

        var some = Render(new RejectedCount("2025-03-01", 3, 1000, "PayExRejectedCallbacks"));
        var none = Render(new RejectedCount("2025-03-01", 0, 1000, "PayExRejectedCallbacks"));
        var full = Render(new RejectedCount("2025-03-01", 1000, 1000, "PayExRejectedCallbacks"));
        var unread = Render(null);

        Assert.Contains("<p id=\"rejected-today\" class=\"rejected\">3 distinct callbacks rejected for their content today (2025-03-01, UTC)", some);
        Assert.Contains("To list them: <code>npm run rejected -- 2025-03-01</code> in the repository (it reads AzureWebJobsStorage), or the table PayExRejectedCallbacks, partition 2025-03-01.", some);
        Assert.DoesNotContain("rejected-full", some);
        Assert.Contains("<p id=\"rejected-today\">None today (2025-03-01, UTC).</p>", none);
        Assert.Contains("id=\"rejected-full\">The day's limit of 1000 distinct rejections (Callbacks__MaxRejectedPerDay) is reached", full);
        Assert.Contains("id=\"rejected-error\">Could not read the rejected callbacks: storage did not answer.", unread);
    }

    [Fact]
    public void The_recent_callbacks_can_be_only_those_of_one_payment_or_one_payment_order()
    {
        const string Order = "7e6cdfc3-1276-44e9-9992-7cf4419750e1";
        var ofPayment = new RecentCallback("p1", DateTimeOffset.UnixEpoch, CallbackShape.V1Nested, 222222222, 333333333, null, null, "processed", null, null, DateTimeOffset.UnixEpoch, null);
        var other = new RecentCallback("p2", DateTimeOffset.UnixEpoch, CallbackShape.V1Nested, 444444444, null, null, null, "processed", null, null, DateTimeOffset.UnixEpoch, null);
        var ofOrder = new RecentCallback("o1", DateTimeOffset.UnixEpoch, CallbackShape.PaymentOrderV31, null, null, 5, Order, "processed", null, null, DateTimeOffset.UnixEpoch, null);
        var snapshot = new StatusSnapshot(DateTimeOffset.UnixEpoch, "q", "q-poison", null, [ofPayment, other, ofOrder], null, [], false);
        var links = StatusLinks.For(Request("code=k"));

        var byPayment = Section(StatusPage.Render(snapshot, null, links, RecentFilter.From(Request("code=k&payment=222222222").Query)).ToString(), "recent");
        var byOrder = Section(StatusPage.Render(snapshot, null, links, RecentFilter.From(Request($"code=k&paymentorder={Order.ToUpperInvariant()}").Query)).ToString(), "recent");
        var unfiltered = Section(StatusPage.Render(snapshot, null, links, RecentFilter.From(Request("code=k&payment=x1").Query)).ToString(), "recent");

        Assert.Contains("Only the callbacks of payment 222222222: 1 of the 3 this instance remembers. <a href=\"/api/payex/status?code=k#recent\">Show all</a>", byPayment);
        Assert.Contains("data-id=\"p1\"", byPayment);
        Assert.DoesNotContain("data-id=\"p2\"", byPayment);
        Assert.DoesNotContain("data-id=\"o1\"", byPayment);
        Assert.Contains($"Only the callbacks of payment order {Order}: 1 of the 3", byOrder);
        Assert.Contains("data-id=\"o1\"", byOrder);
        Assert.DoesNotContain("data-id=\"p1\"", byOrder);
        Assert.DoesNotContain("recent-filter", unfiltered);
        Assert.Contains("data-id=\"p2\"", unfiltered);
        // Each payment number links to its own callbacks, with the key.
        Assert.Contains("<a href=\"/api/payex/status?code=k&amp;payment=444444444#recent\">444444444</a>", unfiltered);
    }

    [Fact]
    public void A_dead_letter_says_how_often_it_was_replayed_whether_a_replay_holds_it_and_what_its_callback_named()
    {
        var now = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        DeadLetter Letter(string id) => new() { Id = id, Origin = DeadLetterOrigin.Permanent, Reason = "r", Attempts = 1, DeadLetteredAt = now.AddMinutes(-1) };
        var once = Letter("once") with { ReplayCount = 1, LastReplayedAt = now.AddMinutes(-2), Payment = "/psp/creditcard/payments/p", PaymentNumber = 222222222 };
        var twice = Letter("twice") with { ReplayCount = 2, LastReplayedAt = now.AddMinutes(-2), ReplayClaimedAt = now.AddSeconds(-30) };
        var lapsed = Letter("lapsed") with { ReplayClaimedAt = now - DeadLetterReplay.ClaimHold - TimeSpan.FromSeconds(1) };
        var v31 = Letter("v31") with { Shape = CallbackShape.PaymentOrderV31, PaymentOrder = "/psp/paymentorders/7e6cdfc3-1276-44e9-9992-7cf4419750e1", PaymentOrderNumber = 12345678 };
        var unreadable = Letter("message-1");
        var snapshot = new StatusSnapshot(now, "q", "q-poison", null, [], null, [once, twice, lapsed, v31, unreadable], false);

        var html = StatusPage.Render(snapshot, null, StatusLinks.For(Request("code=k"))).ToString();

        Assert.Contains("<span class=\"replays\">failed again after 1 replay, the last at <time>2025-03-01 11:58:00Z</time></span>", Row(html, "dead-letters", "once"));
        Assert.DoesNotContain("replaying", Row(html, "dead-letters", "once"));
        Assert.Contains("failed again after 2 replays, the last at <time>2025-03-01 11:58:00Z</time></span><span class=\"replaying\">replay in progress since <time>2025-03-01 11:59:30Z</time></span>", Row(html, "dead-letters", "twice"));
        Assert.DoesNotContain("replay", Cells(Row(html, "dead-letters", "lapsed"))[1]);
        Assert.Equal("payment 222222222", Cells(Row(html, "dead-letters", "once"))[4]);
        Assert.Equal("attempt 12345678payment order", Cells(Row(html, "dead-letters", "v31"))[4]);
        Assert.Contains("<a href=\"/api/payex/status?code=k&amp;paymentorder=7e6cdfc3-1276-44e9-9992-7cf4419750e1#recent\">payment order</a>", Row(html, "dead-letters", "v31"));
        Assert.Equal("—", Cells(Row(html, "dead-letters", "message-1"))[4]);
        Assert.Contains("<a href=\"/api/payex/deadletters/message-1?code=k\"", Row(html, "dead-letters", "message-1"));
    }

    private static HttpRequest Request(string query)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString($"?{query}");
        return context.Request;
    }

    /// <summary>The section of that id.</summary>
    internal static string Section(string html, string id)
    {
        var start = html.IndexOf($"<section id=\"{id}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"No section {id}.");
        return html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)];
    }

    /// <summary>The row of that data-id in the section.</summary>
    internal static string Row(string html, string section, string id)
    {
        var part = Section(html, section);
        var start = part.IndexOf($"<tr data-id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"No row {id} in {section}.");
        return part[start..part.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    /// <summary>The text of each cell, tags taken out.</summary>
    internal static List<string> Cells(string row) =>
        System.Text.RegularExpressions.Regex.Matches(row, "<td[^>]*>(.*?)</td>", System.Text.RegularExpressions.RegexOptions.Singleline)
            .Select(m => System.Text.RegularExpressions.Regex.Replace(m.Groups[1].Value, "<[^>]+>", "").Trim())
            .ToList();
}
