using Azure.Data.Tables;

namespace PayExCallbackFunctions.Payments;

/// <summary>
/// Whether the app checks the payment with PayEx on a schedule, as its status row holds it: since when, and if
/// that ended, when and why. Checks themselves are planned from the status row (Tracking/CheckPlan) and found
/// through <see cref="ScheduledChecks"/>.
/// </summary>
public sealed record PaymentTracking(DateTimeOffset? Since, DateTimeOffset? EndedAt = null, string? EndReason = null)
{
    public static PaymentTracking None { get; } = new((DateTimeOffset?)null);

    /// <summary>Why tracking ended when the order system stopped it: no callback begins it again, only a registration.</summary>
    public const string StoppedReason = "Stopped through the payments API.";

    /// <summary>Whether a callback naming the payment begins tracking it: never tracked, or ended other than by the order system's stop.</summary>
    public bool BegunByCallback => Since is null || (EndedAt is not null && EndReason != StoppedReason);

    public bool IsTracked => Since is not null && EndedAt is null;

    public static PaymentTracking StartedAt(DateTimeOffset at) => new(at);

    public PaymentTracking EndedBecause(string reason, DateTimeOffset at) => this with { EndedAt = at, EndReason = reason };

    /// <summary>The columns; null ones are left out (a merge keeps what they held, and <see cref="ReadFrom"/> reads that as outdated).</summary>
    internal void WriteTo(TableEntity entity)
    {
        Set(entity, "TrackedSince", Since);
        Set(entity, "TrackingEndedAt", EndedAt);
        Set(entity, "TrackingEndReason", EndReason);
    }

    private static void Set(TableEntity entity, string column, object? value)
    {
        if (value is not null)
        {
            entity[column] = value;
        }
    }

    // An end before the latest start is an earlier tracking's: a merge cannot remove columns, so a new start outdates them.
    internal static PaymentTracking ReadFrom(TableEntity entity) =>
        entity.GetDateTimeOffset("TrackedSince") is not { } since ? None
        : entity.GetDateTimeOffset("TrackingEndedAt") is { } ended && ended >= since ? new(since, ended, entity.GetString("TrackingEndReason"))
        : new(since);
}
