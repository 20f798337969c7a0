using System.Text.RegularExpressions;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Tracking;

/// <summary>The status page's tracking under the host: how many payments are tracked, and which ended without a final status and why.</summary>
public partial class TrackingStatusPageTests(TrackingApp fixture) : IClassFixture<TrackingApp>
{
    [GeneratedRegex("<p id=\"tracking-counts\">1 payments tracked · [01] checks due now · 0 overdue · 1 ended without a final status</p>")]
    private static partial Regex Counts();

    [Fact]
    public async Task The_page_counts_the_tracked_payments_and_lists_one_PayEx_does_not_know_with_the_reason()
    {
        var known = await fixture.PayEx.CreatePaymentAsync("v3.1");
        var unknown = Guid.NewGuid();
        await fixture.RegisterAsync(new { paymentOrder = known.PaymentOrder });
        await fixture.RegisterAsync(new { paymentOrder = $"/psp/paymentorders/{unknown:D}" });

        var page = await Eventually.GetAsync(async () =>
        {
            var html = await fixture.App.Raw.GetStringAsync($"/api/payex/status?code={Uri.EscapeDataString(HostProcess.TestMasterKey)}");
            // The known one is still pending and checked on; the unknown one ended. (A check moving its reminder has two
            // for a moment: the new one is written before the old one goes.)
            return html.Contains($"data-id=\"{unknown:D}\"", StringComparison.Ordinal) && Counts().IsMatch(html) ? html : null;
        }, "the payment PayEx does not know among those whose tracking ended, and the counts");

        var section = PayExCallbackFunctions.Tests.Status.StatusRenderingTests.Section(page, "tracking");
        Assert.Matches(Counts(), section);
        var row = Regex.Match(section, $"<tr data-id=\"{unknown:D}\">(.*?)</tr>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("status-pending", row, StringComparison.Ordinal);
        Assert.Contains("<td class=\"reason\">PayEx answered 404: it does not know the payment.</td>", row, StringComparison.Ordinal);
        Assert.DoesNotContain($"data-id=\"{known.Id:D}\"", section, StringComparison.Ordinal);
    }
}
