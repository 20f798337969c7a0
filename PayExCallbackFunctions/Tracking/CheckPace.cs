namespace PayExCallbackFunctions.Tracking;

/// <summary>
/// When a sweep's checks begin: one in each slot of <c>interval</c> from <c>start</c>, at a random moment of it, so that
/// a backlog is spread out rather than fired at once. A turn asked for late (the wait for a free hand took long) moves
/// the slots on from then: time lost is not made up with a burst.
/// </summary>
public sealed class CheckPace(TimeSpan interval, DateTimeOffset start)
{
    private DateTimeOffset _slot = start;

    /// <summary>The moment the next check may begin, asked at <paramref name="now"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset now)
    {
        if (_slot < now)
        {
            _slot = now;
        }

        var at = _slot + (interval * Random.Shared.NextDouble());
        _slot += interval;
        return at;
    }
}
