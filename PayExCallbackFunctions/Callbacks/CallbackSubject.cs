using System.Globalization;

namespace PayExCallbackFunctions.Callbacks;

/// <summary>
/// What a callback names, for log lines: in words, with only the parts it has ("payment 222222222,
/// transaction 333333333"; "payment order 7e6c..., attempt 12345678"), and as log properties, one per
/// part it has. A v3.1 callback's <c>paymentOrder.number</c> is the number of the payment attempt that
/// triggered it, never a transaction number: it is named <c>attempt</c> and <c>AttemptNumber</c>.
/// </summary>
public static class CallbackSubject
{
    /// <summary>The callback's parts in words; what it names by number is named by number, the rest by id.</summary>
    public static string Describe(CallbackEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var parts = new List<string>(3);
        if (envelope.PaymentOrder is { } paymentOrder)
        {
            parts.Add($"payment order {LastSegment(paymentOrder)}");
        }

        if (Part("payment", envelope.PaymentNumber, envelope.Payment) is { } payment)
        {
            parts.Add(payment);
        }

        if (Part("transaction", envelope.TransactionNumber, envelope.Transaction) is { } transaction)
        {
            parts.Add(transaction);
        }

        if (AttemptNumber(envelope) is { } attempt)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"attempt {attempt}"));
        }

        return parts.Count == 0 ? "nothing it names" : string.Join(", ", parts);
    }

    /// <summary>
    /// The log properties of the parts the callback has: <c>PaymentNumber</c>, <c>TransactionNumber</c>,
    /// <c>PaymentOrderNumber</c> (the callback's <c>paymentOrder.number</c>, as the envelope holds it),
    /// <c>AttemptNumber</c> (the same number, for v3.1 callbacks, where it is the attempt's) and <c>PaymentOrderId</c>.
    /// </summary>
    public static Dictionary<string, object?> Properties(CallbackEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var properties = new Dictionary<string, object?>(5, StringComparer.Ordinal);
        Add(properties, "PaymentNumber", envelope.PaymentNumber);
        Add(properties, "TransactionNumber", envelope.TransactionNumber);
        Add(properties, "PaymentOrderNumber", envelope.PaymentOrderNumber);
        Add(properties, "AttemptNumber", AttemptNumber(envelope));
        if (envelope.PaymentOrder is { } paymentOrder)
        {
            properties["PaymentOrderId"] = LastSegment(paymentOrder);
        }

        return properties;
    }

    /// <summary>The number of the payment attempt a v3.1 callback names; null for other shapes.</summary>
    public static long? AttemptNumber(CallbackEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return envelope.Shape == CallbackShape.PaymentOrderV31 ? envelope.PaymentOrderNumber : null;
    }

    private static string? Part(string name, long? number, string? path) => (number, path) switch
    {
        ({ } n, _) => string.Create(CultureInfo.InvariantCulture, $"{name} {n}"),
        (null, { } p) => $"{name} {LastSegment(p)}",
        _ => null,
    };

    private static void Add(Dictionary<string, object?> properties, string name, long? value)
    {
        if (value is { } v)
        {
            properties[name] = v;
        }
    }

    // The id of a /psp/ path (validated before it reached the envelope): its last segment.
    private static string LastSegment(string path) => path[(path.LastIndexOf('/') + 1)..];
}
