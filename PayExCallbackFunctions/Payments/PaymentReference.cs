namespace PayExCallbackFunctions.Payments;

/// <summary>
/// A name a payment can be found by besides its partition's key: the merchant's order or payee reference,
/// or the id of a payment whose partition is its payment order's.
/// </summary>
public sealed record PaymentReference(string Kind, string Value)
{
    public const string OrderReferenceKind = "orderReference";
    public const string PayeeReferenceKind = "payeeReference";
    public const string PaymentIdKind = "payment";

    /// <summary>PayEx allows up to 50 characters (orderReference; payeeReference of cards, 30 otherwise).</summary>
    public const int MaxLength = 50;

    /// <summary>The index's partition key: kind and value, the value escaped (a key may not hold / \ # ? or control characters).</summary>
    public string Key => $"{Kind}:{Uri.EscapeDataString(Value)}";

    public static PaymentReference OrderReference(string value) => new(OrderReferenceKind, value);

    public static PaymentReference PayeeReference(string value) => new(PayeeReferenceKind, value);

    public static PaymentReference PaymentId(Guid id) => new(PaymentIdKind, id.ToString("D"));

    /// <summary>Whether a merchant's reference is one PayEx could have: 1-50 characters, none a control character.</summary>
    public static bool IsValid(string? value) =>
        value is { Length: > 0 and <= MaxLength } && !value.Any(char.IsControl) && !value.Any(char.IsSurrogate);

    /// <summary>What a payment is indexed by: its references (those PayEx could have) and a v2/v3.0 order's payment id.</summary>
    public static IReadOnlyList<PaymentReference> Of(PaymentSnapshot snapshot, Guid key)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var references = new List<PaymentReference>(3);
        if (IsValid(snapshot.OrderReference))
        {
            references.Add(OrderReference(snapshot.OrderReference!));
        }

        if (IsValid(snapshot.PayeeReference))
        {
            references.Add(PayeeReference(snapshot.PayeeReference!));
        }

        if (snapshot.Payment is { } payment && PayEx.PayExPath.TryParseRelative(payment, out var path, out _) && path.Id != key)
        {
            references.Add(PaymentId(path.Id));
        }

        return references;
    }
}
