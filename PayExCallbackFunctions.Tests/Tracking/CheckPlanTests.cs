using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Tracking;

namespace PayExCallbackFunctions.Tests.Tracking;

/// <summary>
/// The plan of a tracked payment's checks, from its status row alone: the schedule from registration or the last change,
/// a read for any reason counting as a check, and the ends of tracking.
/// </summary>
public class CheckPlanTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly TrackingOptions Options = new() { Schedule = "00:01:00, 00:05:00, 00:15:00, 1.00:00:00", MaxAgeDays = 7, WatchDays = 3 };

    private static StatusRow Row(string status, DateTimeOffset checkedAt, DateTimeOffset? changedAt = null, long version = 1, long? remainingCapture = null, long? remainingReversal = null, long captured = 0) =>
        new(new PaymentSnapshot { Status = status, Amount = 1000, AuthorizedAmount = 1000, CapturedAmount = captured, RemainingCaptureAmount = remainingCapture, RemainingReversalAmount = remainingReversal }, version, checkedAt)
        {
            ChangedAt = changedAt,
            Tracking = PaymentTracking.StartedAt(T0),
        };

    [Theory]
    // Registered, never read: a minute after registration.
    [InlineData(0, 0, 60)]
    // Read at the first check (on time, or late): the second step, 5 minutes after that read.
    [InlineData(60, 0, 360)]
    [InlineData(75, 0, 375)]
    // Read by a callback 30 s after registration: still in the first step, so the next check is a minute after it.
    [InlineData(30, 0, 90)]
    // Read at 6 minutes: the third step.
    [InlineData(360, 0, 1260)]
    // Past the list: the last delay repeats.
    [InlineData(90_000, 0, 90_000 + 86_400)]
    // Changed at 10 minutes (and read then): from the first delay again.
    [InlineData(600, 600, 660)]
    public void A_check_comes_a_step_after_the_last_read_counted_from_registration_or_the_last_change(int checkedSeconds, int changedSeconds, int dueSeconds)
    {
        var version = checkedSeconds == 0 ? 0 : 1;
        var row = Row(PaymentStatus.Pending, T0.AddSeconds(checkedSeconds), changedSeconds == 0 ? null : T0.AddSeconds(changedSeconds), version);

        var plan = Assert.IsType<CheckPlan.Check>(CheckPlan.For(row, Options, T0.AddSeconds(checkedSeconds)));

        Assert.Equal(T0.AddSeconds(dueSeconds), plan.At);
    }

    [Theory]
    [InlineData(PaymentStatus.Cancelled)]
    [InlineData(PaymentStatus.Reversed)]
    [InlineData(PaymentStatus.Failed)]
    [InlineData(PaymentStatus.Aborted)]
    public void A_payment_that_cannot_change_ends_tracking_as_settled(string status)
    {
        var end = Assert.IsType<CheckPlan.Finish>(CheckPlan.For(Row(status, T0.AddMinutes(1)), Options, T0.AddMinutes(1)));

        Assert.True(end.Settled);
        Assert.Contains(status, end.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_payment_still_pending_past_the_maximum_age_is_no_longer_checked_and_is_not_settled()
    {
        var row = Row(PaymentStatus.Pending, T0.AddDays(6));

        Assert.IsType<CheckPlan.Check>(CheckPlan.For(row, Options, T0.AddDays(7).AddSeconds(-1)));
        var end = Assert.IsType<CheckPlan.Finish>(CheckPlan.For(row, Options, T0.AddDays(7)));

        Assert.False(end.Settled);
        Assert.Equal("The payment was still pending 7 days after tracking began.", end.Reason);
    }

    [Fact]
    public void A_payment_that_can_still_change_is_watched_for_the_watch_days_after_its_last_change()
    {
        // Authorized two days after registration; nothing captured yet.
        var row = Row(PaymentStatus.Authorized, T0.AddDays(4), changedAt: T0.AddDays(2), remainingCapture: 1000);

        Assert.IsType<CheckPlan.Check>(CheckPlan.For(row, Options, T0.AddDays(5).AddSeconds(-1)));
        var end = Assert.IsType<CheckPlan.Finish>(CheckPlan.For(row, Options, T0.AddDays(5)));

        Assert.False(end.Settled);
        Assert.Equal("The payment, authorized, did not change for 3 days.", end.Reason);
    }

    [Fact]
    public void A_captured_payment_is_watched_while_it_can_be_reversed_and_settled_when_nothing_remains()
    {
        var reversible = Row(PaymentStatus.Captured, T0.AddMinutes(1), T0, remainingCapture: 0, remainingReversal: 1000, captured: 1000);
        Assert.IsType<CheckPlan.Check>(CheckPlan.For(reversible, Options, T0.AddMinutes(1)));
        var watched = Assert.IsType<CheckPlan.Finish>(CheckPlan.For(reversible, Options, T0.AddDays(3)));
        Assert.True(watched.Settled);

        var done = Row(PaymentStatus.Captured, T0.AddMinutes(1), T0, remainingCapture: 0, remainingReversal: 0, captured: 1000);
        var end = Assert.IsType<CheckPlan.Finish>(CheckPlan.For(done, Options, T0.AddMinutes(1)));
        Assert.True(end.Settled);
        Assert.Equal("The payment is captured with nothing left to capture, cancel or reverse.", end.Reason);
    }

    [Fact]
    public void Where_PayEx_omits_a_remaining_amount_the_status_says_whether_one_may_remain()
    {
        // v1 leaves out remaining amounts that are zero: authorized with none given may still be captured.
        var authorized = Row(PaymentStatus.Authorized, T0.AddMinutes(1), T0);
        Assert.IsType<CheckPlan.Check>(CheckPlan.For(authorized, Options, T0.AddMinutes(1)));

        var captured = Row(PaymentStatus.Captured, T0.AddMinutes(1), T0, captured: 1000);
        Assert.IsType<CheckPlan.Check>(CheckPlan.For(captured, Options, T0.AddMinutes(1)));
    }
}
