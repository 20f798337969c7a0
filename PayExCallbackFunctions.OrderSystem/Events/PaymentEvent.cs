using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PayExCallbackFunctions.OrderSystem.Events;

/// <summary>
/// One change of a payment's status, as the app sends it: a CloudEvents 1.0 structured JSON document, the same
/// from the queue and from the webhook. Properties the sample does not use are ignored.
/// </summary>
public sealed record PaymentEvent(
    string? SpecVersion,
    string? Id,
    string? Source,
    string? Type,
    string? Subject,
    DateTimeOffset? Time,
    string? Sequence,
    PaymentEventData? Data);

public sealed record PaymentEventData(
    string? Payment,
    string? Status,
    string? PreviousStatus,
    long Version,
    string? DetectedBy,
    DateTimeOffset? ChangedAt,
    PaymentSnapshot? Snapshot);

/// <summary>The payment's whole status after the change; amounts in minor units.</summary>
public sealed record PaymentSnapshot(
    string? Status,
    long Amount,
    long AuthorizedAmount,
    long CapturedAmount,
    long CancelledAmount,
    long ReversedAmount,
    string? Currency,
    string? OrderReference,
    string? PayeeReference);

/// <summary>An event checked to be one the order system can apply: its id, payment, sequence and data.</summary>
public sealed record ValidEvent(string Id, Guid Payment, long Sequence, PaymentEventData Data, PaymentSnapshot Snapshot);

public static partial class PaymentEvents
{
    public static readonly IReadOnlySet<string> Statuses = new HashSet<string>(StringComparer.Ordinal)
    {
        "pending", "authorized", "partially_captured", "captured", "partially_reversed", "reversed", "cancelled", "failed", "aborted",
    };

    /// <summary>Parses and checks an event document; null and why, if it is not one to apply.</summary>
    public static ValidEvent? Parse(ReadOnlySpan<byte> json, out string? problem)
    {
        PaymentEvent? document;
        try
        {
            document = JsonSerializer.Deserialize(json, OrderSystemJson.Default.PaymentEvent);
        }
        catch (JsonException e)
        {
            problem = $"Not a JSON event: {e.Message}";
            return null;
        }

        problem = Check(document);
        return problem is null
            ? new ValidEvent(document!.Id!, Guid.Parse(document.Subject!), SequenceOf(document)!.Value, document.Data!, document.Data!.Snapshot!)
            : null;
    }

    private static string? Check(PaymentEvent? e) => e switch
    {
        null => "The body is not an event.",
        { SpecVersion: not "1.0" } => "specversion is not 1.0.",
        // The id names the receipt file: letters, digits and - _ . only.
        { Id: null } or { Id.Length: > 200 } or { Id: "." or ".." } => "id is missing or too long.",
        _ when !SafeId().IsMatch(e.Id!) => "id has characters other than letters, digits, -, _ and '.'.",
        { Subject: null } => "subject (the payment) is missing.",
        _ when !Guid.TryParse(e.Subject, out _) => "subject is not a payment id.",
        { Data: null } => "data is missing.",
        { Data.Snapshot: null } => "data.snapshot is missing.",
        _ when e.Data!.Status is not { } status || !Statuses.Contains(status) => "data.status is not a known payment status.",
        _ when SequenceOf(e) is null => "sequence is not a number.",
        _ => null,
    };

    /// <summary>The event's sequence: <c>sequence</c> (the version, zero-padded), else <c>data.version</c>.</summary>
    private static long? SequenceOf(PaymentEvent e) =>
        e.Sequence is null ? e.Data?.Version
        : long.TryParse(e.Sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence
        : null;

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex SafeId();
}
