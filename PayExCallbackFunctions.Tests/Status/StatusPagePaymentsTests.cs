using System.Net;
using Azure.Data.Tables;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Status;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Status;

/// <summary>
/// The status page's payments under the host: a scripted stand-in payment moves on, its callback is posted as
/// PayEx would, and the page lists the payment with its status and amounts, and finds it by its order reference.
/// The fixture is shared by the tests of this class: each looks for its own payment.
/// </summary>
public class StatusPagePaymentsTests(RunningApp fixture) : IClassFixture<RunningApp>
{
    private const string Route = "/api/payex/status";
    private static readonly string Code = $"code={Uri.EscapeDataString(HostProcess.TestMasterKey)}";

    [Fact]
    public async Task A_payment_is_listed_among_the_recent_payments_with_its_status_and_amounts_at_each_change()
    {
        var reference = UniqueReference();
        var order = await fixture.PayEx.CreatePaymentAsync("v3.1", amount: 1500, orderReference: reference, payeeReference: $"payee-{reference[..20]}");

        await StepAndPostAsync(order.Id, "authorize");
        var authorized = await RowAsync(null, "recent-payments", order.Id, "authorized");
        Assert.Contains("<span class=\"badge status-authorized\">authorized</span><span class=\"version\">version 1</span>", authorized);
        var cells = StatusRenderingTests.Cells(authorized);
        Assert.Equal("amount15.00 SEKauthorized15.00 SEKcaptured0.00 SEKcancelled0.00 SEKreversed0.00 SEK", cells[2]);
        Assert.Equal($"{reference}payee-{reference[..20]}", cells[3]);
        Assert.Contains($"<a href=\"{Route}?{Code}&amp;orderReference={reference}#payments\"", authorized);
        Assert.Equal("creditcard", cells[4].ToLowerInvariant());
        Assert.Contains($"order {order.Id:D}", cells[5]);

        // Captured in part: a new version, the amounts moved; still one entry for the payment.
        await StepAndPostAsync(order.Id, "capture", 500);
        var captured = await RowAsync(null, "recent-payments", order.Id, "partially captured");
        Assert.Contains("<span class=\"version\">version 2</span>", captured);
        Assert.Equal("amount15.00 SEKauthorized15.00 SEKcaptured5.00 SEKcancelled0.00 SEKreversed0.00 SEK", StatusRenderingTests.Cells(captured)[2]);
        var html = await PageAsync();
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(StatusRenderingTests.Section(html, "payments"), $"data-id=\"{order.Id:D}\""));
        var entries = await fixture.Storage.References.QueryAsync<TableEntity>(e => e.PartitionKey == RecentPayments.PartitionKey).ToListAsync();
        Assert.Single(entries, e => e.RowKey.EndsWith(order.Id.ToString("D"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_search_by_order_reference_finds_the_payment_and_another_reference_finds_none()
    {
        var reference = UniqueReference();
        var payment = await fixture.PayEx.CreatePaymentAsync("v1", amount: 2500, orderReference: reference);
        await StepAndPostAsync(payment.Id, "authorize");
        await RowAsync(null, "recent-payments", payment.Id, "authorized");

        var found = await PageAsync($"orderReference={Uri.EscapeDataString(reference)}");
        Assert.Contains($"<p class=\"notice\" id=\"payments-found\">Order reference “<span class=\"text\">{reference}</span>”: 1 payment. ", found);
        var row = TableRow(found, "found-payments", payment.Id)!;
        Assert.Contains("status-authorized", row);
        Assert.Contains("authorized</dt><dd class=\"money\">25.00 SEK</dd>", row);
        // The search form holds what was searched, and carries the key on.
        Assert.Contains($"name=\"orderReference\" value=\"{reference}\"", found);
        Assert.Contains($"<input type=\"hidden\" name=\"code\" value=\"{HostProcess.TestMasterKey}\">", found);

        foreach (var other in new[] { reference + "x", reference[..^1], reference.ToUpperInvariant() })
        {
            var none = await PageAsync($"orderReference={Uri.EscapeDataString(other)}");
            Assert.Contains($"<p class=\"notice\" id=\"payments-found\">No payment has order reference “<span class=\"text\">{other}</span>”. The search is exact: case and spaces count.", none);
            Assert.DoesNotContain("found-payments", none);
        }
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("123456789012345678901234567890123456789012345678901", "has 51 characters: PayEx's have at most 50.")]
    [InlineData("549213\n<script>", "holds a control character")]
    [InlineData("549213\t", "holds a control character")]
    [InlineData("order-\U0001F600", "outside Unicode's basic plane")]
    public async Task A_reference_PayEx_could_not_have_is_answered_400_with_the_reason_and_nothing_else(string reference, string reason)
    {
        using var response = await fixture.App.Raw.GetAsync($"{Route}?{Code}&orderReference={Uri.EscapeDataString(reference)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Not an order reference</h1>", html);
        Assert.Contains(reason, WebUtility.HtmlDecode(html));
        Assert.Contains($"<a href=\"{Route}?{Code}\">Back to the status page</a>", html);
        Assert.DoesNotContain("<section", html);
        Assert.DoesNotContain("<script>", html);
    }

    [Fact]
    public async Task An_order_reference_holding_markup_is_shown_encoded_in_the_list_and_the_search()
    {
        const string Markup = "\"'><img src=x onerror=alert(1)>";
        var reference = $"{Markup}{Guid.NewGuid():N}"[..50];
        var payment = await fixture.PayEx.CreatePaymentAsync("v3.1", orderReference: reference);
        await StepAndPostAsync(payment.Id, "authorize");

        var row = await RowAsync(null, "recent-payments", payment.Id, "authorized");
        var found = await PageAsync($"orderReference={Uri.EscapeDataString(reference)}");

        foreach (var html in new[] { row, found })
        {
            Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("&quot;&#x27;&gt;&lt;img src=x onerror=alert(1)&gt;", html);
        }

        Assert.Contains("status-authorized", TableRow(found, "found-payments", payment.Id));
    }

    private static string UniqueReference() => $"status-page-{Guid.NewGuid():N}";

    private async Task StepAndPostAsync(Guid id, string step, long? amount = null)
    {
        var made = await fixture.PayEx.StepAsync(id, step, amount);
        using var response = await fixture.PostCallbackAsync(made.Callback);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The payment's row in the page's table, once it shows the status.</summary>
    private Task<string> RowAsync(string? query, string table, Guid id, string status) => Eventually.GetAsync(async () =>
    {
        var row = TableRow(await PageAsync(query), table, id);
        return row?.Contains($">{status}</span>", StringComparison.Ordinal) == true ? row : null;
    }, $"payment {id} {status} in the page's {table}");

    /// <summary>The payment's row in the table of that id, or null.</summary>
    internal static string? TableRow(string html, string table, Guid id)
    {
        var start = html.IndexOf($"<table id=\"{table}\">", StringComparison.Ordinal);
        var part = start < 0 ? "" : html[start..html.IndexOf("</table>", start, StringComparison.Ordinal)];
        var at = part.IndexOf($"<tr data-id=\"{id:D}\">", StringComparison.Ordinal);
        return at < 0 ? null : part[at..part.IndexOf("</tr>", at, StringComparison.Ordinal)];
    }

    private async Task<string> PageAsync(string? query = null)
    {
        using var response = await fixture.App.Raw.GetAsync(query is null ? $"{Route}?{Code}" : $"{Route}?{Code}&{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
