using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Retry;

namespace PayExCallbackFunctions.Tests.Retry;

public class RetryScheduleTests
{
    private static RetrySchedule Schedule(string schedule = "00:00:10, 00:01:00, 00:05:00", int maxAttempts = 5, double jitter = 0) =>
        new(Options.Create(new RetryOptions { Schedule = schedule, MaxAttempts = maxAttempts, Jitter = jitter }));

    [Fact]
    public void Each_failed_attempt_waits_the_next_delay_and_the_last_delay_repeats()
    {
        var schedule = Schedule();
        Assert.Equal(TimeSpan.FromSeconds(10), schedule.DelayAfter(1, null, 0.5));
        Assert.Equal(TimeSpan.FromMinutes(1), schedule.DelayAfter(2, null, 0.5));
        Assert.Equal(TimeSpan.FromMinutes(5), schedule.DelayAfter(3, null, 0.5));
        Assert.Equal(TimeSpan.FromMinutes(5), schedule.DelayAfter(4, null, 0.5));
    }

    [Fact]
    public void No_delay_is_left_once_max_attempts_have_failed()
    {
        Assert.Null(Schedule(maxAttempts: 5).DelayAfter(5, null, 0));
        Assert.Null(Schedule(maxAttempts: 1).DelayAfter(1, null, 0));
    }

    [Theory]
    [InlineData(0.0, 10.0)]
    [InlineData(0.5, 11.0)]
    [InlineData(0.999, 12.0)]
    public void Jitter_only_lengthens_a_delay_by_up_to_its_share_rounded_up_to_whole_seconds(double random, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Schedule(jitter: 0.2).DelayAfter(1, null, random));
    }

    [Fact]
    public void A_Retry_After_longer_than_the_schedule_is_honoured_and_a_shorter_one_does_not_shorten_it()
    {
        var schedule = Schedule();
        Assert.Equal(TimeSpan.FromSeconds(90), schedule.DelayAfter(1, TimeSpan.FromSeconds(90), 0));
        Assert.Equal(TimeSpan.FromSeconds(10), schedule.DelayAfter(1, TimeSpan.FromSeconds(2), 0));
    }

    [Fact]
    public void No_delay_is_longer_than_a_queue_message_can_be_hidden()
    {
        Assert.Equal(RetryOptions.MaxDelay, Schedule().DelayAfter(1, TimeSpan.FromDays(30), 0));
    }

    [Fact]
    public void The_default_schedule_spreads_the_attempts_over_at_least_72_hours()
    {
        var schedule = new RetrySchedule(Options.Create(new RetryOptions()));
        Assert.True(schedule.Span() >= TimeSpan.FromHours(72), $"spans only {schedule.Span()}");
        Assert.Equal(TimeSpan.FromSeconds(10), schedule.DelayAfter(1, null, 0));
        Assert.Equal(TimeSpan.FromHours(12), schedule.DelayAfter(12, null, 0));
        Assert.Null(schedule.DelayAfter(13, null, 0));
    }

    [Theory]
    [InlineData("", 5, 0.2, "Retry__Schedule")]
    [InlineData("10 seconds", 5, 0.2, "Retry__Schedule")]
    [InlineData("00:00:00.500", 5, 0.2, "at least 1 second")]
    [InlineData("8.00:00:00", 5, 0.2, "at most 7 days")]
    [InlineData("00:00:10", 0, 0.2, "Retry__MaxAttempts")]
    [InlineData("00:00:10", 5, 1.5, "Retry__Jitter")]
    public void A_bad_setting_is_refused_naming_it(string schedule, int maxAttempts, double jitter, string expected)
    {
        var result = new RetryOptionsValidator().Validate(null, new RetryOptions { Schedule = schedule, MaxAttempts = maxAttempts, Jitter = jitter });
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_settings_are_valid()
    {
        Assert.True(new RetryOptionsValidator().Validate(null, new RetryOptions()).Succeeded);
    }
}
