using System.Globalization;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using PayExCallbackFunctions.Payments;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// A change of a payment's status as the order system is told it: a CloudEvents 1.0 document, structured JSON.
/// <c>id</c> is the payment and its status version, the same on every redelivery; <c>sequence</c> the version,
/// zero-padded so that it orders as text as it does as a number; <c>type</c> <c>payment.&lt;status&gt;</c>;
/// <c>subject</c> the payment's id; <c>data</c> what changed, what detected it, and the whole status.
/// </summary>
public static class PaymentEvent
{
    /// <summary>The events' <c>source</c>: this app, the same on every instance.</summary>
    public static readonly Uri Source = new("/payex-callback-functions/payments", UriKind.Relative);

    public const string TypePrefix = "payment.";

    /// <summary>The CloudEvents sequence extension attribute.</summary>
    public const string SequenceAttribute = "sequence";

    private static readonly CloudEventAttribute Sequence = CloudEventAttribute.CreateExtension(SequenceAttribute, CloudEventAttributeType.String);

    private static readonly JsonEventFormatter Formatter = new(new JsonSerializerOptions(JsonSerializerDefaults.Web), new JsonDocumentOptions());

    public static string Id(Guid payment, long version) => string.Create(CultureInfo.InvariantCulture, $"{payment:D}-v{version}");

    /// <summary>The event of <paramref name="change"/> of payment <paramref name="payment"/>, detected by <paramref name="detectedBy"/>.</summary>
    public static string Document(Guid payment, StatusChange change, string detectedBy, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(change);
        var row = change.Row;
        var data = new PaymentEventData(payment.ToString("D"), row.Snapshot.Status, change.PreviousStatus, row.Version, detectedBy, row.ChangedAt ?? at, row.Snapshot);
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0, [Sequence])
        {
            Id = Id(payment, row.Version),
            Source = Source,
            Type = TypePrefix + row.Snapshot.Status,
            Subject = payment.ToString("D"),
            Time = row.ChangedAt ?? at,
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToElement(data, AppJson.Context.PaymentEventData),
        };
        cloudEvent[Sequence] = row.Version.ToString("D10", CultureInfo.InvariantCulture);
        return System.Text.Encoding.UTF8.GetString(Formatter.EncodeStructuredModeMessage(cloudEvent, out _).Span);
    }
}

/// <summary>
/// The event's <c>data</c>: the payment, its status now and before (null: first seen), the version, what detected the
/// change (callback, check, refresh, replay), when, and the whole status as the payments API gives it.
/// </summary>
public sealed record PaymentEventData(string Payment, string Status, string? PreviousStatus, long Version, string DetectedBy, DateTimeOffset ChangedAt, PaymentSnapshot Snapshot);
