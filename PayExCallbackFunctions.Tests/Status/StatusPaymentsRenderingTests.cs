using Microsoft.AspNetCore.Http;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Status;

namespace PayExCallbackFunctions.Tests.Status;

/// <summary>The page's payments without the app: amounts, statuses, outside text, and what each state of the search says.</summary>
public class StatusPaymentsRenderingTests
{
    private const char Nnbsp = MinorUnits.GroupSeparator;
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    // '_' for the narrow no-break space between groups of digits.
    [Theory]
    [InlineData(1500, "SEK", "15.00 SEK")]
    [InlineData(0, "NOK", "0.00 NOK")]
    [InlineData(5, "EUR", "0.05 EUR")]
    [InlineData(123456789, "DKK", "1_234_567.89 DKK")]
    [InlineData(long.MaxValue, "SEK", "92_233_720_368_547_758.07 SEK")]
    [InlineData(1500, "JPY", "1_500 JPY")]
    [InlineData(1500, "KWD", "1.500 KWD")]
    [InlineData(1500, null, "1_500 (minor units)")]
    [InlineData(1500, "kr", "1_500 (minor units)")]
    public void An_amount_in_minor_units_reads_in_major_units_with_the_currencys_decimals(long amount, string? currency, string expected) =>
        Assert.Equal(expected.Replace('_', Nnbsp), MinorUnits.Format(amount, currency));

    [Fact]
    public void Each_status_reads_as_words_in_a_badge_of_its_own_and_an_unknown_one_is_neutralised()
    {
        Assert.Equal(
            ["pending", "authorized", "partially captured", "captured", "partially reversed", "reversed", "cancelled", "failed", "aborted"],
            PaymentStatus.All.Select(s => StatusRenderingTests.Cells($"<td>{PaymentsSection.Badge(s)}</td>").Single()));
        Assert.Equal("<span class=\"badge status-partially_captured\">partially captured</span>", PaymentsSection.Badge(PaymentStatus.PartiallyCaptured).ToString());
        Assert.Equal("<span class=\"badge\">\\u001b[31m&lt;b&gt;</span>", PaymentsSection.Badge("\u001b[31m<b>").ToString());
    }

    [Fact]
    public void A_payment_shows_its_status_amounts_references_instrument_ids_and_times_its_outside_text_neutralised_and_cut()
    {
        var key = Guid.NewGuid();
        var payment = Guid.NewGuid();
        var row = new StatusRow(
            new PaymentSnapshot
            {
                Status = PaymentStatus.PartiallyReversed,
                Amount = 1500,
                AuthorizedAmount = 1500,
                CapturedAmount = 1500,
                ReversedAmount = 300,
                Currency = "SEK",
                Instrument = "Card\u202Egnp.exe",
                OrderReference = "549213",
                PayeeReference = new string('p', 80),
                PaymentOrder = $"/psp/paymentorders/{key}",
                Payment = $"/psp/creditcard/payments/{payment}",
                Number = 99999,
                Updated = At.AddSeconds(-5),
            },
            4,
            At.AddMinutes(1)) { ChangedAt = At };

        var html = Render(new StatusSnapshot(At, "q", "q-poison", null, [], null, [], false, Payments: [new ShownPayment(key, row)]));

        var cells = StatusRenderingTests.Cells(StatusRenderingTests.Row(html, "payments", key.ToString("D"))).Select(System.Net.WebUtility.HtmlDecode).ToList();
        Assert.Equal("2026-03-01 12:00:00Z", cells[0]);
        Assert.Equal("partially reversedversion 4", cells[1]);
        Assert.Equal("amount15.00 SEKauthorized15.00 SEKcaptured15.00 SEKcancelled0.00 SEKreversed3.00 SEK", cells[2]);
        Assert.Contains("<dt>reversed</dt><dd class=\"money\">3.00 SEK</dd>", html);
        Assert.Contains("<dt>cancelled</dt><dd class=\"zero\">0.00 SEK</dd>", html);
        // A reference longer than PayEx allows is cut; a bidirectional override is shown as its escape.
        Assert.Equal($"549213{new string('p', 60)}…", cells[3]);
        Assert.Equal("Card\\u202egnp.exe", cells[4]);
        Assert.Equal($"order {key:D}payment {payment:D}number 99999", cells[5]);
        Assert.Equal("2026-03-01 12:01:00ZPayEx 2026-03-01 11:59:55Z", cells[6]);
        Assert.Contains($"<a href=\"/api/payex/status?code=k&amp;orderReference=549213#payments\"", html);
        Assert.Contains($"<a href=\"/api/payex/status?code=k&amp;paymentorder={key:D}#recent\"", html);
    }

    [Fact]
    public void The_list_says_when_it_is_empty_or_could_not_be_read_and_the_search_form_carries_the_key()
    {
        var empty = Render(new StatusSnapshot(At, "q", "q-poison", null, [], null, [], false, Payments: []));
        var unread = Render(new StatusSnapshot(At, "q", "q-poison", null, [], null, [], false));

        Assert.Contains("<p id=\"no-payments\">None yet.", empty);
        Assert.Contains("<p class=\"error-box\" id=\"payments-error\">Could not read the recent payments: storage did not answer.</p>", unread);
        Assert.Contains("<form method=\"get\" action=\"/api/payex/status#payments\" id=\"payment-search\" class=\"search\">", empty);
        Assert.Contains("<input type=\"hidden\" name=\"code\" value=\"k\">", empty);
        Assert.Contains("<input type=\"search\" name=\"orderReference\" value=\"\" maxlength=\"50\" size=\"40\" required>", empty);
        Assert.DoesNotContain("payments-found", empty);
    }

    [Fact]
    public void The_search_says_what_it_found_none_found_or_that_storage_did_not_answer()
    {
        var search = new OrderReferenceSearch("549213");
        var row = new StatusRow(new PaymentSnapshot { Status = PaymentStatus.Captured, Currency = "SEK", OrderReference = "549213" }, 2, At) { ChangedAt = At };
        var key = Guid.NewGuid();

        var none = Render(new StatusSnapshot(At, "q", "q-poison", null, [], null, [], false, Payments: [], Search: search, Found: new FoundPayments("549213", [], 0, 0)));
        var failed = Render(new StatusSnapshot(At, "q", "q-poison", null, [], null, [], false, Payments: [], Search: search));
        var found = Render(new StatusSnapshot(At, "q", "q-poison", null, [], null, [], false, Payments: [], Search: search, Found: new FoundPayments("549213", [new ShownPayment(key, row)], 2, 1)));
        var many = Render(new StatusSnapshot(At, "q", "q-poison", null, [], null, [], false, Payments: [], Search: search, Found: new FoundPayments("549213", [new ShownPayment(key, row)], 30, 0)));

        Assert.Contains("id=\"payments-found\">No payment has order reference “<span class=\"text\">549213</span>”. The search is exact: case and spaces count.", none);
        Assert.Contains("id=\"payments-found\">Could not search for order reference “<span class=\"text\">549213</span>”: storage did not answer.", failed);
        Assert.Contains("id=\"payments-found\">Order reference “<span class=\"text\">549213</span>”: 2 payments; 1 has no status stored yet (being written, or retried after a failed write).", found);
        Assert.Contains($"<table id=\"found-payments\">", found);
        Assert.Contains($"<tr data-id=\"{key:D}\">", found);
        Assert.Contains("”: 30 payments; the 20 indexed last are shown.", many);
        // What was searched stays in the form.
        Assert.Contains("name=\"orderReference\" value=\"549213\"", found);
    }

    private static string Render(StatusSnapshot snapshot)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?code=k");
        return StatusPage.Render(snapshot, null, StatusLinks.For(context.Request)).ToString();
    }
}
