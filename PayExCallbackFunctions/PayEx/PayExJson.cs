using System.Globalization;
using System.Text.Json;

namespace PayExCallbackFunctions.PayEx;

/// <summary>Reading PayEx's JSON leniently: a member of the wrong kind reads as absent.</summary>
public static class PayExJson
{
    public static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A whole number, as PayEx writes it (a number, or in some documents a string of digits).</summary>
    public static long? Number(JsonElement element, string name) =>
        element.ValueKind != JsonValueKind.Object ? null : element.TryGetProperty(name, out var value) switch
        {
            false => null,
            true when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) => n,
            true when value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) => s,
            _ => null,
        };

    public static DateTimeOffset? Time(JsonElement element, string name) =>
        Text(element, name) is { } text
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : null;

    public static JsonElement? Child(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    /// <summary>The objects of the first of <paramref name="names"/> that is a list (PayEx spells some lists two ways).</summary>
    public static JsonElement[] Items(JsonElement parent, params string[] names)
    {
        foreach (var name in names)
        {
            if (parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array)
            {
                return list.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object).ToArray();
            }
        }

        return [];
    }
}
