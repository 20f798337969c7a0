using System.Globalization;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// An amount as PayEx gives it, in the currency's minor units (1500 SEK is 15.00 SEK), as an operator reads it:
/// in major units with the currency's decimals, digits grouped by a narrow no-break space, so that neither a
/// comma nor a point can be taken for the other.
/// </summary>
public static class MinorUnits
{
    /// <summary>The narrow no-break space between groups of three digits.</summary>
    public const char GroupSeparator = '\u202F';

    // ISO 4217's minor units where they are not two. PayEx's "lowest monetary unit" is taken to be ISO's.
    private static readonly Dictionary<string, int> Decimals = new(StringComparer.Ordinal)
    {
        ["BIF"] = 0, ["CLP"] = 0, ["DJF"] = 0, ["GNF"] = 0, ["ISK"] = 0, ["JPY"] = 0, ["KMF"] = 0, ["KRW"] = 0,
        ["PYG"] = 0, ["RWF"] = 0, ["UGX"] = 0, ["UYI"] = 0, ["VND"] = 0, ["VUV"] = 0, ["XAF"] = 0, ["XOF"] = 0, ["XPF"] = 0,
        ["BHD"] = 3, ["IQD"] = 3, ["JOD"] = 3, ["KWD"] = 3, ["LYD"] = 3, ["OMR"] = 3, ["TND"] = 3,
        ["CLF"] = 4, ["UYW"] = 4,
    };

    private static readonly NumberFormatInfo Grouped = new() { NumberGroupSeparator = GroupSeparator.ToString(), NumberDecimalSeparator = ".", NegativeSign = "-" };

    /// <summary>"15.00 SEK"; without a currency code (three capital letters), the minor units as they are.</summary>
    public static string Format(long amount, string? currency)
    {
        if (currency is not { Length: 3 } || !currency.All(char.IsAsciiLetterUpper))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{amount.ToString("#,0", Grouped)} (minor units)");
        }

        var decimals = Decimals.GetValueOrDefault(currency, 2);
        var major = amount / (decimal)Math.Pow(10, decimals);
        var pattern = decimals == 0 ? "#,0" : "#,0." + new string('0', decimals);
        return $"{major.ToString(pattern, Grouped)} {currency}";
    }
}
