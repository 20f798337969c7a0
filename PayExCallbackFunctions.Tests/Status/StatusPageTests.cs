using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Status;

/// <summary>
/// The operator's status page, under the host (admin level: the master key), over plain HTTP: who may see it,
/// its headers, that every value is encoded, its Replay button's guards, and what it lists. The
/// fixture's tables are shared by the tests of this class, so each looks only at its own callbacks.
/// </summary>
public class StatusPageTests(RunningApp fixture) : IClassFixture<RunningApp>, IDisposable
{
    private const string Route = "/api/payex/status";
    private const string Script = "<script>alert(1)</script>";
    private const string Breakout = "\"'><img src=x onerror=alert(1)>";

    private static readonly string Code = $"code={Uri.EscapeDataString(HostProcess.TestMasterKey)}";

    [Fact]
    public async Task Without_the_admin_key_the_page_and_its_buttons_answer_401()
    {
        var id = await DeadLetteredCallbackAsync(new ExampleCallback());

        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, Route),
                     (HttpMethod.Get, $"{Route}?code=wrong-key"),
                     (HttpMethod.Get, $"{Route}?code={Uri.EscapeDataString(HostProcess.TestCallbackKey)}"),
                     (HttpMethod.Post, $"{Route}/deadletters/{id}/replay"),
                     (HttpMethod.Post, $"{Route}/deadletters/{id}/replay?code=wrong-key"),
                     (HttpMethod.Post, $"{Route}/deadletters/{id}/discard"),
                     (HttpMethod.Post, $"{Route}/deadletters/{id}/discard?code=wrong-key"),
                     (HttpMethod.Post, $"{Route}/deadletters/replay"),
                 })
        {
            using var response = await SendAsync(method, path);
            Assert.True(HttpStatusCode.Unauthorized == response.StatusCode, $"{method} {path}: {(int)response.StatusCode}");
        }

        Assert.NotNull(await GetDeadLetterAsync(id));
    }

    [Fact]
    public async Task With_the_admin_key_the_page_is_html_with_headers_that_keep_the_key_and_the_page_to_itself()
    {
        using var response = await SendAsync(HttpMethod.Get, $"{Route}?{Code}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        AssertSecurityHeaders(response);
        var html = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<h2>Current lag</h2>", html);
        Assert.Contains("This instance, newest first; Application Insights has all instances.", html);
        Assert.Contains("<h2>Dead letters</h2>", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Matches("<dd id=\"waiting\">\\d+ on ", html);
        // Opened with ?code=, its buttons carry the key: nothing to warn of.
        Assert.DoesNotContain("id=\"key-hint\"", html);

        // The header works as well as ?code=; the page then says its buttons need ?code= where the host checks keys, as this one does.
        using var byHeader = await SendAsync(HttpMethod.Get, Route, key: HostProcess.TestMasterKey);
        Assert.Equal(HttpStatusCode.OK, byHeader.StatusCode);
        Assert.Contains("<p class=\"error-box\" id=\"key-hint\">Opened with the key in a header, not in <code>?code=</code>: a browser's form cannot send a header, so where the host checks keys (in Azure; <code>func start --enableAuth</code>) the buttons below will be refused.", await byHeader.Content.ReadAsStringAsync());
        using var buttonByHeader = await SendAsync(HttpMethod.Post, $"{Route}/deadletters/replay");
        Assert.Equal(HttpStatusCode.Unauthorized, buttonByHeader.StatusCode);

        // A refusal is the host's 401, before the worker: the page, and so its key, is not in it.
        using var refused = await SendAsync(HttpMethod.Get, Route);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Empty(await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Under_a_host_that_checks_no_keys_as_run_sh_starts_it_the_page_says_so_and_its_buttons_work_without_a_key()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        await using var app = await HostProcess.StartAsync(storage.Settings(payEx), enableAuth: false);
        var callback = new ExampleCallback();
        payEx.State.PutResource(callback.Examples.Resource("transaction-authorization-creditcard.docs.json"));
        var id = await callback.AcknowledgeAsync(app);
        await Eventually.TrueAsync(async () => (await storage.DeadLettersAsync()).Any(d => d.RowKey == id), $"callback {id} to be dead-lettered");
        callback.Serve(payEx);

        // No key at all, and the host ran this admin-level function: it checks none, and the page says only that.
        using var page = await app.Raw.GetAsync(Route);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<p class=\"note\" id=\"key-hint\">This host checks no keys (<code>func start</code> without <code>--enableAuth</code>): the page and its buttons work without one.", html);
        Assert.DoesNotContain("class=\"error-box\"", html);
        Assert.DoesNotContain("refused", html);
        Assert.Contains($"<form method=\"post\" action=\"{Route}/deadletters/{id}/replay\">", html);

        // As the page said: its Replay button, posting without a key, replays.
        using var replay = await app.Raw.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"{Route}/deadletters/{id}/replay")
        {
            Content = new FormUrlEncodedContent([]),
            Headers = { { "Sec-Fetch-Site", "same-origin" } },
        });
        Assert.Equal(HttpStatusCode.SeeOther, replay.StatusCode);
        Assert.Equal($"{Route}?notice=Replayed&id={id}", replay.Headers.Location?.OriginalString);
        await storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);

        // A key in a header: whether the host checks it, the worker cannot tell, and the warning says where it holds.
        using var byHeader = new HttpRequestMessage(HttpMethod.Get, Route) { Headers = { { "x-functions-key", "any" } } };
        var warned = await (await app.Raw.SendAsync(byHeader)).Content.ReadAsStringAsync();
        Assert.Contains("where the host checks keys (in Azure; <code>func start --enableAuth</code>) the buttons below will be refused", warned);
    }

    [Fact]
    public async Task A_dead_letter_holding_markup_is_shown_encoded_everywhere_it_appears()
    {
        // Written to the table directly: a row key cannot hold '/', but an id, a reason and a reference can hold the rest.
        var id = $"x{Breakout}{Guid.NewGuid():N}";
        await fixture.Storage.DeadLetters.CreateIfNotExistsAsync();
        await fixture.Storage.DeadLetters.AddEntityAsync(new TableEntity("callback", id)
        {
            ["Origin"] = "Permanent",
            ["Reason"] = $"PayEx said {Script} and {Breakout}",
            ["Attempts"] = 1,
            ["DeadLetteredAt"] = DateTimeOffset.UtcNow,
            ["Payment"] = Breakout,
            ["PaymentOrder"] = Script,
        });

        var html = await PageAsync($"notice=Replayed&id={Uri.EscapeDataString(Script + Breakout)}");

        Assert.DoesNotContain(Script, html);
        Assert.DoesNotContain(Breakout, html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("'>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("&quot;&#x27;&gt;&lt;img src=x onerror=alert(1)&gt;", html);
        // In the row's attribute, the cells, and the Replay form's URL (escaped for the URL, then for the attribute).
        Assert.Contains($"<tr data-id=\"x&quot;&#x27;&gt;&lt;img src=x onerror=alert(1)&gt;", html);
        Assert.Contains($"/deadletters/{Uri.EscapeDataString(id).Replace("'", "&#x27;")}/replay?{Code}\"", html);
        // The notice from the query, encoded as well.
        Assert.Contains("Dead letter &lt;script&gt;alert(1)&lt;/script&gt;&quot;&#x27;&gt;&lt;img", html);

        // Its Replay button refuses the id (no callback id) with a page of its own, encoded too.
        using var replay = await SendAsync(HttpMethod.Post, $"{Route}/deadletters/{Uri.EscapeDataString(id)}/replay?{Code}");
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("text/html", replay.Content.Headers.ContentType?.MediaType);
        AssertSecurityHeaders(replay);
        var message = await replay.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<img", message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", message);
    }

    [Fact]
    public async Task A_replay_posted_cross_site_is_refused_with_403_and_the_dead_letter_stays()
    {
        var callback = new ExampleCallback();
        var id = await DeadLetteredCallbackAsync(callback);
        callback.Serve(fixture.PayEx);

        foreach (var site in new[] { "cross-site", "same-site" })
        {
            using var refused = await SendAsync(HttpMethod.Post, $"{Route}/deadletters/{id}/replay?{Code}", fetchSite: site);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
            Assert.Equal(403, problem["status"]!.GetValue<int>());
        }

        using var all = await SendAsync(HttpMethod.Post, $"{Route}/deadletters/replay?{Code}", fetchSite: "cross-site");
        Assert.Equal(HttpStatusCode.Forbidden, all.StatusCode);
        Assert.NotNull(await GetDeadLetterAsync(id));
        Assert.Empty(await fixture.Storage.RowsAsync(callback.Payment));

        // The same post from the page itself replays it, and sends the browser back to the page.
        using var replayed = await SendAsync(HttpMethod.Post, $"{Route}/deadletters/{id}/replay?{Code}", fetchSite: "same-origin");
        Assert.Equal(HttpStatusCode.SeeOther, replayed.StatusCode);
        Assert.Equal($"{Route}?{Code}&notice=Replayed&id={id}", replayed.Headers.Location?.OriginalString);
        AssertSecurityHeaders(replayed);
        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
        Assert.Null(await GetDeadLetterAsync(id));
        Assert.Contains($"Dead letter {id} is back on the callback queue", await PageAsync($"notice=Replayed&id={id}"));
    }

    [Fact]
    public async Task The_buttons_answer_an_unknown_or_unreplayable_dead_letter_with_a_page_saying_so()
    {
        using var unknown = await SendAsync(HttpMethod.Post, $"{Route}/deadletters/{Guid.NewGuid():N}/replay?{Code}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("text/html", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"href=\"{Route}?{Code}\"", await unknown.Content.ReadAsStringAsync());

        // A dead letter without a callback envelope can only be read and discarded.
        var id = $"message-{Guid.NewGuid()}";
        await fixture.Storage.DeadLetters.CreateIfNotExistsAsync();
        await fixture.Storage.DeadLetters.AddEntityAsync(new TableEntity("callback", id)
        {
            ["Origin"] = "Poison",
            ["Reason"] = "not a callback",
            ["DeadLetteredAt"] = DateTimeOffset.UtcNow,
            ["Message"] = "not json",
        });
        using var unreplayable = await SendAsync(HttpMethod.Post, $"{Route}/deadletters/{id}/replay?{Code}");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unreplayable.StatusCode);
        Assert.Contains("holds no callback envelope", await unreplayable.Content.ReadAsStringAsync());
        Assert.NotNull(await GetDeadLetterAsync(id));
    }

    [Fact]
    public async Task Discard_asks_for_confirmation_then_removes_the_dead_letter_and_logs_where_it_was_asked_from()
    {
        var callback = new ExampleCallback();
        var id = await DeadLetteredCallbackAsync(callback);
        var row = StatusRenderingTests.Row(await PageAsync(), "dead-letters", id);
        Assert.Contains($"<form method=\"post\" action=\"{Route}/deadletters/{id}/discard?{Code}\"><button type=\"submit\">Discard</button></form>", row);

        // The row's button: a page that shows what would be lost, and discards nothing yet.
        using var asked = await SendAsync(HttpMethod.Post, $"{Route}/deadletters/{id}/discard?{Code}", fetchSite: "same-origin");
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        AssertSecurityHeaders(asked);
        var confirm = await asked.Content.ReadAsStringAsync();
        Assert.Contains($"<h1>Discard dead letter {id}?</h1>", confirm);
        Assert.Contains("payment <a href=", confirm);
        Assert.Contains("<input type=\"hidden\" name=\"confirm\" value=\"yes\">", confirm);
        Assert.Contains($"href=\"{Route}?{Code}\">Cancel", confirm);
        var seen = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(confirm, "name=\"seen\" value=\"([^\"]+)\"").Groups[1].Value);
        Assert.NotEmpty(seen);
        Assert.NotNull(await GetDeadLetterAsync(id));

        // Confirmed, but from another site: refused, as the Replay button's post is.
        var confirmed = new Dictionary<string, string> { ["confirm"] = "yes", ["seen"] = seen };
        using var crossSite = await SendAsync(HttpMethod.Post, $"{Route}/deadletters/{id}/discard?{Code}", fetchSite: "cross-site", form: confirmed);
        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.NotNull(await GetDeadLetterAsync(id));

        using var discarded = await SendAsync(HttpMethod.Post, $"{Route}/deadletters/{id}/discard?{Code}", fetchSite: "same-origin", form: confirmed);
        Assert.Equal(HttpStatusCode.SeeOther, discarded.StatusCode);
        Assert.Equal($"{Route}?{Code}&notice=Discarded&id={id}", discarded.Headers.Location?.OriginalString);
        Assert.Null(await GetDeadLetterAsync(id));
        Assert.DoesNotContain(await fixture.Storage.DeadLettersAsync(), d => d.RowKey == id);
        Assert.Contains($"Dead letter {id} was discarded: its callback is not processed unless PayEx delivers it again.", await PageAsync($"notice=Discarded&id={id}"));
        await Eventually.TrueAsync(
            () => Task.FromResult(fixture.App.Output.Contains($"Dead letter {id} (Permanent, for {callback.PaymentPath}) was discarded through the status page, asked from ", StringComparison.Ordinal)),
            "the discard's log line");

        // Gone: a second confirmation says so.
        using var again = await SendAsync(HttpMethod.Post, $"{Route}/deadletters/{id}/discard?{Code}", form: confirmed);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Discard_refuses_a_dead_letter_that_changed_since_the_confirmation_was_shown()
    {
        var id = await DeadLetteredCallbackAsync(new ExampleCallback());
        using var asked = await SendAsync(HttpMethod.Post, $"{Route}/deadletters/{id}/discard?{Code}");
        var seen = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(await asked.Content.ReadAsStringAsync(), "name=\"seen\" value=\"([^\"]+)\"").Groups[1].Value);

        // As a replay that failed again leaves it: another version of the row.
        await fixture.Storage.DeadLetters.UpdateEntityAsync(new TableEntity("callback", id) { ["Reason"] = "failed again" }, Azure.ETag.All, TableUpdateMode.Merge);

        using var refused = await SendAsync(HttpMethod.Post, $"{Route}/deadletters/{id}/discard?{Code}", form: new() { ["confirm"] = "yes", ["seen"] = seen });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("changed since it was read", await refused.Content.ReadAsStringAsync());
        Assert.NotNull(await GetDeadLetterAsync(id));
    }

    [Fact]
    public async Task A_dead_letter_a_replay_holds_shows_the_replay_in_progress_and_is_not_discarded()
    {
        var id = await DeadLetteredCallbackAsync(new ExampleCallback());
        var claimedAt = DateTimeOffset.UtcNow;
        await fixture.Storage.DeadLetters.UpdateEntityAsync(new TableEntity("callback", id) { ["ReplayClaimedAt"] = claimedAt }, Azure.ETag.All, TableUpdateMode.Merge);

        var row = StatusRenderingTests.Row(await PageAsync(), "dead-letters", id);
        Assert.Contains($"<span class=\"replaying\">replay in progress since <time>{claimedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z</time></span>", row);

        foreach (var form in new Dictionary<string, string>?[] { null, new() { ["confirm"] = "yes" } })
        {
            using var refused = await SendAsync(HttpMethod.Post, $"{Route}/deadletters/{id}/discard?{Code}", form: form);
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("text/html", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("is being replayed", await refused.Content.ReadAsStringAsync());
        }

        Assert.NotNull(await GetDeadLetterAsync(id));
    }

    [Fact]
    public async Task A_dead_letter_replayed_that_failed_again_shows_how_often_and_when_it_was_replayed()
    {
        var id = await DeadLetteredCallbackAsync(new ExampleCallback());
        var first = (await GetDeadLetterAsync(id))!;
        Assert.Equal(0, first["replayCount"]!.GetValue<int>());
        Assert.DoesNotContain("failed again after", StatusRenderingTests.Row(await PageAsync(), "dead-letters", id));

        var previous = first["deadLetteredAt"]!.GetValue<DateTimeOffset>();
        for (var replays = 1; replays <= 2; replays++)
        {
            var before = DateTimeOffset.UtcNow;
            using var replayed = await SendAsync(HttpMethod.Post, $"{Route}/deadletters/{id}/replay?{Code}");
            Assert.Equal(HttpStatusCode.SeeOther, replayed.StatusCode);

            // PayEx still has no payment: it fails again, and its new dead letter says it came from a replay.
            var after = previous;
            var again = await Eventually.GetAsync(async () =>
                await GetDeadLetterAsync(id) is { } d && d["deadLetteredAt"]!.GetValue<DateTimeOffset>() > after ? d : null,
                $"callback {id} dead-lettered after replay {replays}");
            Assert.Equal(replays, again["replayCount"]!.GetValue<int>());
            var lastReplayedAt = again["lastReplayedAt"]!.GetValue<DateTimeOffset>();
            Assert.InRange(lastReplayedAt, before.AddSeconds(-5), again["deadLetteredAt"]!.GetValue<DateTimeOffset>());
            Assert.Equal(1, again["attempts"]!.GetValue<int>());
            previous = again["deadLetteredAt"]!.GetValue<DateTimeOffset>();

            var row = StatusRenderingTests.Row(await PageAsync(), "dead-letters", id);
            Assert.Contains($"<span class=\"day\">{previous.UtcDateTime:yyyy-MM-dd}</span> {previous.UtcDateTime:HH:mm:ss}Z<span class=\"replays\">failed again after {replays} {(replays == 1 ? "replay" : "replays")}, the last at <time>{lastReplayedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z</time></span>", row);
        }
    }

    [Fact]
    public async Task A_dead_letter_shows_the_numbers_the_callback_gave_with_links_to_its_payments_callbacks_and_to_itself()
    {
        var callback = new ExampleCallback();
        var id = await DeadLetteredCallbackAsync(callback);
        var deadLetter = (await GetDeadLetterAsync(id))!;
        Assert.Equal(222222222, deadLetter["paymentNumber"]!.GetValue<long>());
        Assert.Equal(333333333, deadLetter["transactionNumber"]!.GetValue<long>());

        var html = await PageAsync();
        var row = StatusRenderingTests.Row(html, "dead-letters", id);
        var paymentLink = $"{Route}?{Code}&amp;payment=222222222#recent";
        Assert.Contains($"payment <a href=\"{paymentLink}\">222222222</a><br>transaction 333333333", row);
        Assert.Contains($"title=\"{callback.PaymentPath}&#xA;{callback.PaymentPath}/authorizations/{callback.Transaction}\"", row);
        Assert.Contains("Payment (as the callback named it)", html);
        Assert.Contains("a hint only", html);
        var deadLetterLink = $"/api/payex/deadletters/{id}?{Code}";
        Assert.Contains($"<a href=\"{deadLetterLink}\"", row);

        // The id's link is the admin API's JSON of it; the key in the link is all it needs.
        using var json = await fixture.App.Raw.GetAsync(deadLetterLink);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal(id, (await json.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());

        // The number's link: the page with the recent callbacks of that payment only, this one among them.
        var filtered = await PageAsync("payment=222222222");
        Assert.Contains("<p class=\"notice\" id=\"recent-filter\">Only the callbacks of payment 222222222: ", filtered);
        Assert.Contains($"<tr data-id=\"{id}\">", StatusRenderingTests.Section(filtered, "recent"));
    }

    [Fact]
    public async Task A_callback_acknowledged_and_processed_is_listed_among_the_recent_callbacks_as_processed_with_its_lag()
    {
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);
        var id = await callback.AcknowledgeAsync(fixture.App);
        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);

        var row = await Eventually.GetAsync(async () =>
        {
            var html = await PageAsync();
            var start = html.IndexOf($"<tr data-id=\"{id}\">", StringComparison.Ordinal);
            var row = start < 0 ? null : html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
            return row?.Contains("outcome processed", StringComparison.Ordinal) == true ? row : null;
        }, $"callback {id} on the status page as processed");

        Assert.Contains("<td class=\"outcome processed\">processed</td>", row);
        Assert.Contains("<td>V1Nested</td>", row);
        Assert.Matches("<td class=\"num\">\\d+(\\.\\d)? m?s</td>", row);
        Assert.Matches("<span class=\"trace\" title=\"Trace id\">[0-9a-f]{32}</span>", row);
        Assert.Matches("<dd id=\"lag\">p50 [^<]+, p95 [^<]+, max [^<]+ \\(the last \\d+ processed on this instance\\)</dd>", await PageAsync());
    }

    [Fact]
    public async Task A_callback_processed_on_its_second_attempt_shows_two_processing_attempts()
    {
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);
        // PayEx asks it to wait once (a 429 is not retried within the attempt): the retry path tries it again.
        fixture.PayEx.State.AddFault(new Fault { Path = callback.PaymentPath, Status = 429, Remaining = 1 });
        var id = await callback.AcknowledgeAsync(fixture.App);
        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);

        var row = await Eventually.GetAsync(async () =>
            await PageAsync() is var html && StatusRenderingTests.Section(html, "recent").Contains($"<tr data-id=\"{id}\">", StringComparison.Ordinal)
                && StatusRenderingTests.Row(html, "recent", id) is var r && r.Contains("outcome processed", StringComparison.Ordinal) ? r : null,
            $"callback {id} on the status page as processed");

        Assert.Equal(["processed", "2"], StatusRenderingTests.Cells(row).Skip(6).Take(2));
    }

    [Fact]
    public async Task Todays_rejected_callbacks_are_counted_on_the_page_from_the_days_tally_with_how_to_list_them()
    {
        using var refused = await fixture.PostCallbackAsync("{}");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var day = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var rows = await Eventually.GetAsync(async () =>
        {
            var tally = await fixture.Storage.Rejected.GetEntityIfExistsAsync<TableEntity>(day, "~tally");
            return tally.HasValue ? tally.Value!.GetInt32("Rows") : null;
        }, "the day's tally of rejected callbacks");

        var html = StatusRenderingTests.Section(await PageAsync(), "rejected");

        Assert.Contains($"<p id=\"rejected-today\" class=\"rejected\">{rows} distinct {(rows == 1 ? "callback" : "callbacks")} rejected for their content today ({day}, UTC)", html);
        Assert.Contains($"<code>npm run rejected -- {day}</code>", html);
        Assert.Contains($"the table {fixture.Storage.RejectedTableName}, partition {day}.", html);
    }

    [Fact]
    public async Task With_storage_down_the_page_still_answers_and_says_what_it_could_not_read_and_its_buttons_and_the_admin_API_answer_503()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync(azurite);
        await using var app = await HostProcess.StartAsync(storage.Settings(payEx));

        azurite.Stop();
        using var response = await app.Raw.GetAsync($"{Route}?{Code}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("id=\"backlog-error\">Could not read the queues: storage did not answer.", html);
        Assert.Contains("id=\"dead-letters-error\">Could not read the dead letters: storage did not answer.", html);
        Assert.Contains("id=\"rejected-error\">Could not read the rejected callbacks: storage did not answer.", html);
        Assert.Contains("id=\"payments-error\">Could not read the recent payments: storage did not answer.", html);
        Assert.Contains("id=\"events-error\">Could not read the events' deliveries: storage did not answer.", html);
        Assert.Contains("This instance, newest first", html);
        // A search says it could not look, rather than that nothing was found.
        using var search = await app.Raw.GetAsync($"{Route}?{Code}&orderReference=549213");
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        var searched = await search.Content.ReadAsStringAsync();
        Assert.Contains("id=\"payments-found\">Could not search for order reference “<span class=\"text\">549213</span>”: storage did not answer.", searched);
        Assert.DoesNotContain("No payment has", searched);

        // The buttons and the admin API say the same, each in its own kind: a page, a problem; both with Retry-After.
        var id = Guid.NewGuid().ToString("N");
        var eventId = $"Webhook0.{Guid.NewGuid():D}-v1";
        foreach (var path in new[] { $"{Route}/deadletters/{id}/replay?{Code}", $"{Route}/deadletters/{id}/discard?{Code}", $"{Route}/deadletters/replay?{Code}", $"{Route}/events/{eventId}/replay?{Code}", $"{Route}/events/{eventId}/discard?{Code}" })
        {
            using var button = await app.Raw.PostAsync(path, new FormUrlEncodedContent([]));
            Assert.True(HttpStatusCode.ServiceUnavailable == button.StatusCode, $"POST {path}: {(int)button.StatusCode}");
            Assert.Equal("text/html", button.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Storage is unavailable", await button.Content.ReadAsStringAsync());
            Assert.NotNull(button.Headers.RetryAfter);
        }

        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, "/api/payex/deadletters"),
                     (HttpMethod.Get, $"/api/payex/deadletters/{id}"),
                     (HttpMethod.Delete, $"/api/payex/deadletters/{id}"),
                     (HttpMethod.Post, $"/api/payex/deadletters/{id}/replay"),
                     (HttpMethod.Post, "/api/payex/deadletters/replay"),
                     (HttpMethod.Get, "/api/payex/events/undelivered"),
                     (HttpMethod.Post, $"/api/payex/events/undelivered/{eventId}/replay"),
                     (HttpMethod.Delete, $"/api/payex/events/undelivered/{eventId}"),
                 })
        {
            using var request = new HttpRequestMessage(method, path);
            using var answer = await app.Http.SendAsync(request);
            Assert.True(HttpStatusCode.ServiceUnavailable == answer.StatusCode, $"{method} {path}: {(int)answer.StatusCode}");
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            Assert.Equal(503, JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["status"]!.GetValue<int>());
            Assert.NotNull(answer.Headers.RetryAfter);
        }

        // And once storage is back, so is the page (and the test's storage can be cleaned up).
        await azurite.RestartAsync();
        var after = await app.Raw.GetStringAsync($"{Route}?{Code}");
        Assert.DoesNotContain("storage did not answer", after);
        Assert.Contains("<dd id=\"waiting\">0 on ", after);
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("no-store", Header(response, "Cache-Control"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;

    private async Task<string> PageAsync(string? query = null)
    {
        using var response = await SendAsync(HttpMethod.Get, query is null ? $"{Route}?{Code}" : $"{Route}?{Code}&{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Sends exactly this request: no redirect followed, no key added unless given.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key = null, string? fetchSite = null, Dictionary<string, string>? form = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        if (method == HttpMethod.Post)
        {
            // As a browser's form post.
            request.Content = new FormUrlEncodedContent(form ?? []);
        }

        return await NoRedirects.SendAsync(request);
    }

    private HttpClient NoRedirects => _noRedirects ??= new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        BaseAddress = fixture.App.BaseUrl,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private HttpClient? _noRedirects;

    public void Dispose() => _noRedirects?.Dispose();

    /// <summary>Posts a callback whose payment PayEx does not have (its transaction it has) and waits until it is dead-lettered.</summary>
    private async Task<string> DeadLetteredCallbackAsync(ExampleCallback callback)
    {
        fixture.PayEx.State.PutResource(callback.Examples.Resource("transaction-authorization-creditcard.docs.json"));
        var id = await callback.AcknowledgeAsync(fixture.App);
        await Eventually.GetAsync(() => GetDeadLetterAsync(id), $"callback {id} to be dead-lettered");
        return id;
    }

    /// <summary>The dead letter from the admin API, or null if there is none.</summary>
    private async Task<JsonObject?> GetDeadLetterAsync(string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/payex/deadletters/{id}");
        request.Headers.Add("x-functions-key", HostProcess.TestMasterKey);
        using var response = await fixture.App.Raw.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonObject>();
    }
}
