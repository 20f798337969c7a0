namespace PayExCallbackFunctions.Callbacks;

/// <summary>Why a callback body was refused: a title, and the offending members with their reasons.</summary>
public sealed record CallbackRejection(string Title, IReadOnlyDictionary<string, string[]> Errors)
{
    public static CallbackRejection One(string title, string member, string reason) =>
        new(title, new Dictionary<string, string[]> { [member] = [reason] });
}
