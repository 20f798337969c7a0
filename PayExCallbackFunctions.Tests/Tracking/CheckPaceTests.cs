using PayExCallbackFunctions.Tracking;

namespace PayExCallbackFunctions.Tests.Tracking;

/// <summary>
/// How a sweep spreads its checks, on a clock the test moves as a sweep would: one beginning in each slot, and no
/// burst to make up for a turn that came late. (TrackingFailureTests checks the same under the host, with looser bounds
/// for a busy machine.)
/// </summary>
public class CheckPaceTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    // Tracking__ChecksPerSecond 4.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    [Fact]
    public void A_backlog_begins_one_check_in_each_slot_and_never_more_than_five_in_a_second_at_four_a_second()
    {
        for (var run = 0; run < 100; run++)
        {
            var begun = Sweep(new CheckPace(Interval, Start), Start, 40);

            for (var i = 0; i < begun.Count; i++)
            {
                Assert.InRange(begun[i], Start + (Interval * i), Start + (Interval * (i + 1)));
            }

            Assert.InRange(Busiest(begun, TimeSpan.FromSeconds(1)), 4, 5);
        }
    }

    [Fact]
    public void A_turn_asked_for_late_moves_the_slots_on_from_then_without_a_burst_for_the_time_lost()
    {
        for (var run = 0; run < 100; run++)
        {
            var pace = new CheckPace(Interval, Start);
            var before = Sweep(pace, Start, 4);
            // Every hand busy for three seconds: twelve slots pass unused.
            var late = before[^1] + TimeSpan.FromSeconds(3);

            var after = Sweep(pace, late, 12);

            for (var i = 0; i < after.Count; i++)
            {
                Assert.InRange(after[i], late + (Interval * i), late + (Interval * (i + 1)));
            }

            Assert.InRange(Busiest(after, TimeSpan.FromSeconds(1)), 4, 5);
        }
    }

    // Each check begins at the moment the pace gives, or at once if that has passed; the next turn is asked for then.
    private static List<DateTimeOffset> Sweep(CheckPace pace, DateTimeOffset now, int checks)
    {
        var begun = new List<DateTimeOffset>();
        for (var i = 0; i < checks; i++)
        {
            var at = pace.Next(now);
            now = at > now ? at : now;
            begun.Add(now);
        }

        return begun;
    }

    private static int Busiest(List<DateTimeOffset> begun, TimeSpan window) =>
        begun.Max(first => begun.Count(b => b >= first && b < first + window));
}
