using System.Globalization;
using PayExCallbackFunctions.Payments;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// The page's search by order reference (<c>?orderReference=</c>): exact, as the merchant sent it to PayEx.
/// A value PayEx could not have is refused with the reason, and nothing is looked up.
/// </summary>
public sealed record OrderReferenceSearch(string OrderReference)
{
    public const string Parameter = "orderReference";

    /// <summary>Null when the query asks for no search; else the search, or why its value is no order reference.</summary>
    public static (OrderReferenceSearch? Search, string? Refusal) From(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!query.TryGetValue(Parameter, out var values))
        {
            return (null, null);
        }

        var value = values.FirstOrDefault() ?? "";
        return PaymentReference.IsValid(value) ? (new OrderReferenceSearch(value), null) : (null, Refusal(value));
    }

    // Said without the value: it is what PayEx could not have, and may be anything.
    private static string Refusal(string value) => value switch
    {
        { Length: 0 } => "The order reference to find is empty: PayEx's order references have 1 to 50 characters.",
        { Length: > PaymentReference.MaxLength } => string.Create(CultureInfo.InvariantCulture, $"The order reference to find has {value.Length} characters: PayEx's have at most {PaymentReference.MaxLength}."),
        _ when value.Any(char.IsControl) => "The order reference to find holds a control character (a line break, a tab…), which PayEx's order references cannot.",
        _ => "The order reference to find holds a character PayEx's order references cannot (outside Unicode's basic plane, such as an emoji).",
    };
}
