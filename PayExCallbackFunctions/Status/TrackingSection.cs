using PayExCallbackFunctions.Tracking;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// The page's tracking: payments tracked (checks scheduled), checks due and overdue, and the payments whose tracking
/// ended without a final status, with the reason. Counted live, up to <see cref="StatusPayments.TrackingLimit"/> reminders.
/// </summary>
public static class TrackingSection
{
    private const int MaxReasonLength = 200;

    public static Html Render(TrackingReading? reading, StatusLinks links)
    {
        ArgumentNullException.ThrowIfNull(links);
        if (reading is null)
        {
            return Html.Of($"""
                <section id="tracking">
                <h2>Tracking</h2>
                <p class="error-box" id="tracking-error">Could not read the tracked payments: storage did not answer.</p>
                </section>
                """);
        }

        var c = reading.Checks;
        var atLeast = c.AtLeast ? "at least " : "";
        var overdue = c.Overdue > 0
            ? Html.Of($"""<p class="error-box" id="tracking-overdue">{c.Overdue} checks have been due for more than {(int)TrackingCounts.OverdueAfter.TotalMinutes} minutes: the sweep (SweepPayExChecks) is not keeping up, or not running.</p>""")
            : Html.Empty;
        return Html.Of($"""
            <section id="tracking">
            <h2>Tracking</h2>
            <p id="tracking-counts">{atLeast}{c.Scheduled} payments tracked · {c.Due} checks due now · {c.Overdue} overdue · {reading.EndedUnsettled} ended without a final status</p>
            {overdue}
            {Ended(reading)}
            </section>
            """);
    }

    private static Html Ended(TrackingReading reading)
    {
        if (reading.Ended.Count == 0)
        {
            return Html.Empty;
        }

        return Html.Of($"""
            <p class="note">Tracking ended without a final status (latest first): the app no longer asks PayEx about these. Register one again (POST /api/payments) to track it anew.</p>
            <table id="tracking-ended">
            <thead><tr><th>Ended</th><th>Status</th><th>Payment</th><th>Why</th></tr></thead>
            <tbody>
            {Html.Join(reading.Ended.Select(e => Html.Of($"""
                <tr data-id="{e.Payment.ToString("D")}">
                <td class="time">{StatusPage.InCell(e.EndedAt)}</td>
                <td class="status">{PaymentsSection.Badge(e.Status)}</td>
                <td class="id">{e.Payment.ToString("D")}</td>
                <td class="reason">{OutsideText.Neutralise(e.Reason, MaxReasonLength)}</td>
                </tr>
                """)))}
            </tbody>
            </table>
            """);
    }
}
