using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using PayExCallbackFunctions.Payments;
using CheckPlan = PayExCallbackFunctions.Tracking.CheckPlan;
using TrackingOptions = PayExCallbackFunctions.Tracking.TrackingOptions;

namespace PayExCallbackFunctions.Api;

/// <summary>
/// A payment as the payments API answers it: its id (its partition's key), version and status with the
/// amounts, references and ids (<see cref="PaymentSnapshot"/>), when the app last read it from PayEx and how
/// long ago, and when it last changed.
/// </summary>
public sealed record PaymentDocument : PaymentSnapshot
{
    [SetsRequiredMembers]
    private PaymentDocument(PaymentSnapshot snapshot, string id, long version)
        : base(snapshot)
    {
        Id = id;
        Version = version;
    }

    // The id, status and version first, the snapshot's amounts and references next, the times last.
    [JsonPropertyOrder(-3)]
    public required string Id { get; init; }

    [JsonPropertyOrder(-1)]
    public required long Version { get; init; }

    /// <summary>When the app last read the payment from PayEx.</summary>
    [JsonPropertyOrder(1)]
    public DateTimeOffset CheckedAt { get; init; }

    /// <summary>Seconds since <see cref="CheckedAt"/>, when this answer was given.</summary>
    [JsonPropertyOrder(1)]
    public long CheckedSecondsAgo { get; init; }

    /// <summary>When the status last changed (its version grew).</summary>
    [JsonPropertyOrder(1)]
    public DateTimeOffset? ChangedAt { get; init; }

    /// <summary>Only in answers to a refresh: whether PayEx was asked, and why not.</summary>
    [JsonPropertyOrder(1)]
    public RefreshOutcome? Refresh { get; init; }

    /// <summary>Whether the app checks the payment with PayEx on its schedule, and when next.</summary>
    [JsonPropertyOrder(2)]
    public TrackingDocument? Tracking { get; init; }

    public static PaymentDocument From(Guid key, StatusRow row, DateTimeOffset now, TrackingOptions tracking)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new PaymentDocument(row.Snapshot, key.ToString("D"), row.Version)
        {
            CheckedAt = row.CheckedAt,
            CheckedSecondsAgo = (long)Math.Max(0, (now - row.CheckedAt).TotalSeconds),
            ChangedAt = row.ChangedAt,
            Tracking = TrackingDocument.From(row, tracking, now),
        };
    }
}

/// <summary>
/// A payment's tracking as the API answers it: tracked or not, since when, the next check as planned now (a read for
/// any reason pushes it out), and if tracking ended, when and why.
/// </summary>
public sealed record TrackingDocument(bool Tracked, DateTimeOffset? Since, DateTimeOffset? NextCheckAt, DateTimeOffset? EndedAt, string? EndReason)
{
    public static TrackingDocument From(StatusRow row, TrackingOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(row);
        var tracking = row.Tracking;
        var next = tracking.IsTracked && CheckPlan.For(row, options, now) is CheckPlan.Check plan ? plan.At : (DateTimeOffset?)null;
        return new TrackingDocument(tracking.IsTracked, tracking.Since, next, tracking.EndedAt, tracking.EndReason);
    }
}

/// <summary>The payments a reference found.</summary>
public sealed record PaymentList(IReadOnlyList<PaymentDocument> Payments);
