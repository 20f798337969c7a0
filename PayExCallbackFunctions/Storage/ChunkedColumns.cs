using System.Text;
using Azure.Data.Tables;

namespace PayExCallbackFunctions.Storage;

/// <summary>
/// Long text in a table entity: a string property holds 64 KiB at most, so the text is split over
/// <c>{name}</c>, <c>{name}1</c>, <c>{name}2</c>, ... (within the 1 MiB an entity may hold).
/// </summary>
public static class ChunkedColumns
{
    // 32,000 UTF-16 characters stay under the 64 KiB property limit; 12 of them under 1 MiB an entity.
    public const int ChunkChars = 32_000;
    public const int MaxChunks = 12;

    /// <summary>Writes <paramref name="text"/>; false if it had to be cut short.</summary>
    public static bool Write(TableEntity entity, string name, string text)
    {
        var start = 0;
        for (var i = 0; i < MaxChunks && start < text.Length; i++)
        {
            var length = Math.Min(ChunkChars, text.Length - start);
            // Never split a surrogate pair across two columns.
            if (start + length < text.Length && char.IsHighSurrogate(text[start + length - 1]))
            {
                length--;
            }

            entity[i == 0 ? name : $"{name}{i}"] = text.Substring(start, length);
            start += length;
        }

        return start == text.Length;
    }

    /// <summary>The text as written, reassembled from its chunks; null if there is none.</summary>
    public static string? Read(TableEntity entity, string name)
    {
        if (entity.GetString(name) is not { } first)
        {
            return null;
        }

        var text = new StringBuilder(first);
        for (var i = 1; entity.GetString($"{name}{i}") is { } chunk; i++)
        {
            text.Append(chunk);
        }

        return text.ToString();
    }
}
