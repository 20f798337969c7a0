using Microsoft.Playwright;
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
        const string Lines = "td => { const r = document.createRange(); r.selectNodeContents(td); return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }";
        var deadLetter = page.Locator($"#dead-letters tr[data-id=\"{id}\"]");
        Assert.Equal(1, await deadLetter.Locator("td.id").EvaluateAsync<int>(Lines));
        Assert.Equal(1, await page.Locator($"#recent tr[data-id=\"{processed}\"] td.id").EvaluateAsync<int>(Lines));
        Assert.Equal(1, await page.Locator($"#recent tr[data-id=\"{processed}\"] td.trace").EvaluateAsync<int>(Lines));
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
