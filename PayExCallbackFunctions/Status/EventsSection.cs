using PayExCallbackFunctions.Events;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// The page's events: per sink, the payments waiting to retry there and the events it never took; the payments with events
/// still to deliver; and the undelivered events, each with Replay and Discard.
/// </summary>
public static class EventsSection
{
    public static Html Render(UndeliveredPage? reading, StatusLinks links)
    {
        ArgumentNullException.ThrowIfNull(links);
        if (reading is null)
        {
            return Html.Of($"""
                <section id="events">
                <h2>Events</h2>
                <p class="error-box" id="events-error">Could not read the events' deliveries: storage did not answer.</p>
                </section>
                """);
        }

        var failing = reading.Sinks.Any(s => s.Undelivered > 0)
            ? Html.Of($"""<p class="error-box" id="events-undelivered">{reading.Undelivered.Count} events were never delivered to a sink: the order system has not heard of these changes. Fix the endpoint, then replay them.</p>""")
            : Html.Empty;
        return Html.Of($"""
            <section id="events">
            <h2>Events</h2>
            <p id="events-counts">{reading.Marked} payments marked for the relay (a delivery under way or cut off, a replay, or a sink waiting to retry)</p>
            {failing}
            <table id="event-sinks">
            <thead><tr><th>Sink</th><th>Where</th><th>Payments waiting to retry</th><th>Undelivered</th></tr></thead>
            <tbody>
            {Html.Join(reading.Sinks.Select(s => Html.Of($"""
                <tr data-sink="{s.Sink}"><td>{s.Sink}</td><td class="id">{s.Description}</td><td class="waiting">{s.Waiting}</td><td class="undelivered">{s.Undelivered}</td></tr>
                """)))}
            </tbody>
            </table>
            {Undelivered(reading, links)}
            </section>
            """);
    }

    private static Html Undelivered(UndeliveredPage reading, StatusLinks links)
    {
        if (reading.Undelivered.Count == 0)
        {
            return Html.Empty;
        }

        return Html.Of($"""
            <p class="note">Undelivered (oldest first): Replay sends the event to its sink again now, and on the retry schedule if it fails; Discard removes it from this list.</p>
            <table id="events-undelivered-list">
            <thead><tr><th>Given up</th><th>Sink</th><th>Event</th><th>Attempts</th><th>Last error</th><th></th></tr></thead>
            <tbody>
            {Html.Join(reading.Undelivered.Select(u => Html.Of($"""
                <tr data-id="{u.Id}">
                <td class="time">{StatusPage.InCell(u.UndeliveredAt)}</td>
                <td>{u.Sink}</td>
                <td class="id">{u.EventId} ({u.Type})</td>
                <td>{u.Attempts}</td>
                <td class="reason">{OutsideText.Neutralise(u.Error, 300)}</td>
                <td class="actions"><form method="post" action="{links.ReplayEvent(u.Id)}"><button type="submit">Replay</button></form> <form method="post" action="{links.DiscardEvent(u.Id)}"><button type="submit">Discard</button></form></td>
                </tr>
                """)))}
            </tbody>
            </table>
            """);
    }
}
