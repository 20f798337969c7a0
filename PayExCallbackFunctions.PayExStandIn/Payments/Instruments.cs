namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>The v1 payment instruments the stand-in can script, by the name their paths use.</summary>
public static class Instruments
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["creditcard"] = "CreditCard",
        ["swish"] = "Swish",
        ["vipps"] = "Vipps",
        ["invoice"] = "Invoice",
        ["trustly"] = "Trustly",
        ["mobilepay"] = "MobilePay",
    };

    public static IEnumerable<string> PathNames => Names.Keys;

    public static bool IsKnown(string instrument) => Names.ContainsKey(instrument);

    /// <summary>CreditCard for creditcard: how documents and v3.1 callbacks name it.</summary>
    public static string DisplayName(string instrument) => Names[instrument];
}
