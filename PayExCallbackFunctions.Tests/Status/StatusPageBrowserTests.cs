using System.Net;
using Azure.Data.Tables;
using Microsoft.Playwright;
using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Status;

/// <summary>
/// The status page in a real browser (headless Chromium through Playwright): an operator sees a dead
/// letter, presses its Replay button, and sees the callback processed. The browser enforces what
/// plain HTTP cannot show: the Content-Security-Policy, the form's URL, the redirect after the post.
/// </summary>
public class StatusPageBrowserTests(RunningApp fixture) : IClassFixture<RunningApp>
{
    /// <summary>Debian's Chromium: Playwright's own browsers cannot be downloaded here, and CI installs this one.</summary>
    private const string ChromiumPath = "/usr/bin/chromium";

    [Fact]
    public async Task An_operator_replays_a_dead_letter_with_its_button_and_sees_it_processed()
    {
        await using var browser = await LaunchChromiumAsync();

        // A callback dead-lettered for real: PayEx answers 404 for its payment, a permanent failure.
        var callback = new ExampleCallback();
        fixture.PayEx.State.PutResource(callback.Examples.Resource("transaction-authorization-creditcard.docs.json"));
        var id = await callback.AcknowledgeAsync(fixture.App);
        await Eventually.TrueAsync(async () => (await fixture.Storage.DeadLettersAsync()).Any(d => d.RowKey == id), $"callback {id} to be dead-lettered");
        // The cause fixed: PayEx now has the payment.
        callback.Serve(fixture.PayEx);

        var page = await browser.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Add(message.Text);
            }
        };
        var pageUrl = new Uri(fixture.App.BaseUrl, $"/api/payex/status?code={Uri.EscapeDataString(HostProcess.TestMasterKey)}").ToString();

        var opened = await page.GotoAsync(pageUrl);
        Assert.Equal(200, opened!.Status);
        var deadLetter = page.Locator($"#dead-letters tr[data-id=\"{id}\"]");
        Assert.Equal(1, await deadLetter.CountAsync());
        Assert.Contains("Permanent", await deadLetter.InnerTextAsync());
        Assert.Contains("payment 222222222", await deadLetter.InnerTextAsync());
        // The stylesheet applied (CSP allows inline styles): the header cells have their background.
        Assert.Equal("rgb(244, 244, 244)", await page.Locator("#dead-letters th").First.EvaluateAsync<string>("th => getComputedStyle(th).backgroundColor"));

        // Press Replay; the post is answered 303 and the browser is back on the page, the key still in its URL.
        var posted = await page.RunAndWaitForResponseAsync(
            () => deadLetter.GetByRole(AriaRole.Button, new() { Name = "Replay" }).ClickAsync(),
            response => response.Request.Method == "POST");
        if (posted.Status != 303)
        {
            Assert.Fail($"The Replay button's post to {posted.Url} was answered {posted.Status}: {await posted.TextAsync()}");
        }

        var back = $"{pageUrl}&notice=Replayed&id={id}";
        Assert.Equal(back, new Uri(fixture.App.BaseUrl, posted.Headers["location"]).ToString());
        await ArrivedAsync(page, back);
        Assert.Contains($"Dead letter {id} is back on the callback queue", await page.Locator("p.notice").InnerTextAsync());

        // Reload until the callback shows processed, and no longer among the dead letters.
        await Eventually.TrueAsync(async () =>
        {
            await page.ReloadAsync();
            var outcome = page.Locator($"#recent tr[data-id=\"{id}\"] td.outcome");
            return await outcome.CountAsync() == 1
                && await outcome.InnerTextAsync() == "processed"
                && await page.Locator($"#dead-letters tr[data-id=\"{id}\"]").CountAsync() == 0;
        }, $"callback {id} processed on the status page");

        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
        Assert.DoesNotContain(await fixture.Storage.DeadLettersAsync(), d => d.RowKey == id);
        Assert.True(problems.Count == 0, $"The browser reported errors:\n{string.Join('\n', problems)}");
    }

    [Fact]
    public async Task An_operator_sees_each_id_on_one_line_and_discards_a_dead_letter_after_confirming()
    {
        await using var browser = await LaunchChromiumAsync();
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);
        var processed = await callback.AcknowledgeAsync(fixture.App);
        var dead = new ExampleCallback();
        fixture.PayEx.State.PutResource(dead.Examples.Resource("transaction-authorization-creditcard.docs.json"));
        var id = await dead.AcknowledgeAsync(fixture.App);
        await Eventually.TrueAsync(async () => (await fixture.Storage.DeadLettersAsync()).Any(d => d.RowKey == id), $"callback {id} to be dead-lettered");
        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);

        // A laptop's width: the 32-character ids (callback and trace) each stay on one line.
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var pageUrl = new Uri(fixture.App.BaseUrl, $"/api/payex/status?code={Uri.EscapeDataString(HostProcess.TestMasterKey)}").ToString();
        Assert.Equal(200, (await page.GotoAsync(pageUrl))!.Status);
        var deadLetter = page.Locator($"#dead-letters tr[data-id=\"{id}\"]");
        Assert.Equal(1, await deadLetter.Locator("td.id").EvaluateAsync<int>(Lines));
        // The callback id, and its trace id under it.
        Assert.Equal(1, await page.Locator($"#recent tr[data-id=\"{processed}\"] td.id").EvaluateAsync<int>(FirstLines));
        Assert.Equal(1, await page.Locator($"#recent tr[data-id=\"{processed}\"] .trace").EvaluateAsync<int>(Lines));
        // The whole id is on the page, to find and to copy.
        Assert.Equal(id, await deadLetter.Locator("td.id").InnerTextAsync());

        // Discard asks first, on a page of its own; Cancel would go back with nothing done.
        await deadLetter.GetByRole(AriaRole.Button, new() { Name = "Discard" }).ClickAsync();
        await page.WaitForSelectorAsync("#confirm-discard");
        Assert.Contains($"Discard dead letter {id}?", await page.Locator("h1").InnerTextAsync());
        Assert.Contains((await fixture.Storage.DeadLettersAsync()).Select(d => d.RowKey), k => k == id);

        await page.Locator("#confirm-discard").ClickAsync();
        await ArrivedAsync(page, $"{pageUrl}&notice=Discarded&id={id}");
        Assert.Contains($"Dead letter {id} was discarded", await page.Locator("p.notice").InnerTextAsync());
        Assert.Equal(0, await page.Locator($"#dead-letters tr[data-id=\"{id}\"]").CountAsync());
        Assert.DoesNotContain(await fixture.Storage.DeadLettersAsync(), d => d.RowKey == id);
    }

    [Fact]
    public async Task At_a_laptops_1280_px_every_table_fits_the_page_and_every_column_is_readable_with_long_PayEx_paths_dead_letters_and_payments()
    {
        await using var browser = await LaunchChromiumAsync();

        // What an operator meets: a callback processed, a v3.1 one and one with the largest numbers dead-lettered
        // (PayEx has neither: its path in the reason), one PayEx keeps failing (retried), one refused for its content.
        var processed = new ExampleCallback();
        processed.Serve(fixture.PayEx);
        var processedId = await processed.AcknowledgeAsync(fixture.App);
        var v31 = await AcknowledgeAsync(new Examples().Callback("callback-v3.1-paymentorder.json"));
        var large = new ExampleCallback();
        var largeId = await AcknowledgeAsync(large.Json.Replace("222222222", $"{long.MaxValue}", StringComparison.Ordinal).Replace("333333333", $"{long.MaxValue - 1}", StringComparison.Ordinal));
        var failing = new ExampleCallback();
        fixture.PayEx.State.AddFault(new Fault { Path = $"{failing.PaymentPath}*", Status = 503, Remaining = 10_000 });
        var failingId = await failing.AcknowledgeAsync(fixture.App);
        using (var refused = await fixture.PostCallbackAsync("{}"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        // A payment at its widest: references of the 50 characters PayEx allows, without a space to break at, and
        // amounts in the hundreds of billions, each of them moved (captured, reversed in part).
        var reference = $"{Guid.NewGuid():N}{Guid.NewGuid():N}"[..50];
        var wide = await fixture.PayEx.CreatePaymentAsync("v3.1", amount: 99_999_999_999_999, orderReference: reference, payeeReference: reference.ToUpperInvariant());
        foreach (var (step, amount) in new[] { ("authorize", (long?)null), ("capture", 99_999_999_999_000), ("reverse", 11_111_111_111_111) })
        {
            using var posted = await fixture.PostCallbackAsync((await fixture.PayEx.StepAsync(wide.Id, step, amount)).Callback);
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        // And a dead letter at its widest: a poison message's id, replayed twice and being replayed, a long reason with a token that has no space.
        var now = DateTimeOffset.UtcNow;
        var path = $"/psp/creditcard/payments/{Guid.NewGuid()}";
        await fixture.Storage.DeadLetters.CreateIfNotExistsAsync();
        await fixture.Storage.DeadLetters.AddEntityAsync(new TableEntity("callback", $"message-{Guid.NewGuid()}")
        {
            ["Origin"] = "Poison",
            ["Reason"] = $"GET {path}/authorizations/{Guid.NewGuid()} did not answer with a transaction of payment {path}. {new string('x', 300)}",
            ["Attempts"] = 13,
            ["DeadLetteredAt"] = now,
            ["ReplayCount"] = 2,
            ["LastReplayedAt"] = now,
            ["ReplayClaimedAt"] = now,
            ["Payment"] = path,
            ["PaymentNumber"] = long.MaxValue,
            ["TransactionNumber"] = long.MaxValue,
            ["Transaction"] = $"{path}/authorizations/{Guid.NewGuid()}",
        });

        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var pageUrl = new Uri(fixture.App.BaseUrl, $"/api/payex/status?code={Uri.EscapeDataString(HostProcess.TestMasterKey)}").ToString();
        await Eventually.TrueAsync(async () =>
        {
            await page.GotoAsync(pageUrl);
            return await Outcome(page, processedId) == "processed"
                && await Outcome(page, largeId) == "dead_lettered" && await Outcome(page, v31) == "dead_lettered"
                && await Outcome(page, failingId) is "retried" or "dead_lettered"
                && await page.Locator($"#recent-payments tr[data-id=\"{wide.Id:D}\"] .status-partially_reversed").CountAsync() == 1;
        }, "the callbacks on the status page as processed, dead-lettered and retried, and the payment partially reversed");
        Assert.True(await page.Locator("#recent tr.detail").CountAsync() >= 4);

        var screenshot = Path.Combine(RepoPaths.Root, "artifacts", "status-page-1280.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        var problems = await page.EvaluateAsync<string[]>(LayoutProblems);
        Assert.True(problems.Length == 0, $"At 1280 px (see {screenshot}):\n{string.Join('\n', problems)}");

        // The payment found by its order reference, the reference in the search form and the notice as well.
        Assert.Equal(200, (await page.GotoAsync($"{pageUrl}&orderReference={reference}"))!.Status);
        Assert.Equal(1, await page.Locator($"#found-payments tr[data-id=\"{wide.Id:D}\"]").CountAsync());
        var found = Path.Combine(RepoPaths.Root, "artifacts", "status-page-1280-found.png");
        await page.ScreenshotAsync(new() { Path = found, FullPage = true });
        problems = await page.EvaluateAsync<string[]>(LayoutProblems);
        Assert.True(problems.Length == 0, $"At 1280 px, a search (see {found}):\n{string.Join('\n', problems)}");
    }

    /// <summary>A line of text per distinct top of its boxes.</summary>
    private const string Lines = "e => { const r = document.createRange(); r.selectNodeContents(e); return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }";

    /// <summary>The lines of an element's first child (a cell's own text, before what follows it).</summary>
    private const string FirstLines = "e => { const r = document.createRange(); r.selectNodeContents(e.firstChild); return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }";

    /// <summary>
    /// What makes a table unreadable: wider than the page (a horizontal scroll), content spilling out of its cell,
    /// a detail or reason narrower than 40 em (the old layout broke a PayEx path into one fragment a line), a
    /// header broken inside a word.
    /// </summary>
    private const string LayoutProblems = """
        () => {
          const problems = [];
          const page = document.documentElement;
          if (page.scrollWidth > page.clientWidth) problems.push(`the page scrolls sideways: ${page.scrollWidth} > ${page.clientWidth} px`);
          for (const table of document.querySelectorAll('table')) {
            const name = table.closest('section').id;
            const box = table.parentElement;
            if (table.scrollWidth > box.clientWidth) problems.push(`${name}: the table is ${table.scrollWidth} px in ${box.clientWidth}`);
            const em = parseFloat(getComputedStyle(table).fontSize);
            for (const cell of table.querySelectorAll('th, td')) {
              const text = cell.textContent.trim().slice(0, 50);
              if (cell.scrollWidth > cell.clientWidth + 1) problems.push(`${name}: "${text}" spills out of its cell (${cell.scrollWidth} > ${cell.clientWidth} px)`);
              if (cell.matches('.reason') && cell.clientWidth < 40 * em) problems.push(`${name}: "${text}" is ${cell.clientWidth} px wide, under 40 em`);
              if (cell.matches('th')) {
                const words = cell.textContent.split(/\s+/).filter(w => w);
                const r = document.createRange(); r.selectNodeContents(cell);
                const lines = new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;
                if (lines > words.length) problems.push(`${name}: the header "${text}" breaks inside a word`);
              }
            }
          }
          return problems;
        }
        """;

    private static async Task<string?> Outcome(IPage page, string id)
    {
        var cell = page.Locator($"#recent tr[data-id=\"{id}\"] td.outcome");
        return await cell.CountAsync() == 1 ? await cell.InnerTextAsync() : null;
    }

    private async Task<string> AcknowledgeAsync(string json)
    {
        using var response = await fixture.PostCallbackAsync(json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>(response.Content))!["id"]!.GetValue<string>();
    }

    /// <summary>
    /// The page the redirect led to, by waiting in the browser for its notice. Not WaitForURLAsync: when
    /// the URL already matches it waits for a "load" event the client can miss (CI timed out with
    /// "NetworkIdle event fired" logged after load).
    /// </summary>
    private static async Task ArrivedAsync(IPage page, string url)
    {
        await page.Locator("p.notice").WaitForAsync();
        Assert.Equal(url, page.Url);
    }

    /// <summary>Chromium, or a failure that says how to get it: a browser test that skips itself would pass unseen.</summary>
    private static async Task<AsyncBrowser> LaunchChromiumAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Fail($"The browser tests need Chromium at {ChromiumPath}: install it with `apt-get install chromium` (Playwright's own browsers are not downloaded).");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                // Without the background-networking flags Chromium calls home, and this machine's closed network refuses it.
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
            return new AsyncBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>The browser and the Playwright driver it runs under, closed together.</summary>
    private sealed class AsyncBrowser(IPlaywright playwright, IBrowser browser) : IAsyncDisposable
    {
        public Task<IPage> NewPageAsync(BrowserNewPageOptions? options = null) => browser.NewPageAsync(options);

        public async ValueTask DisposeAsync()
        {
            await browser.CloseAsync();
            playwright.Dispose();
        }
    }
}
