using System.Buffers.Text;
using System.Text;

namespace PayExCallbackFunctions.DeadLetters;

/// <summary>
/// The list's continuation, opaque to callers: the table service's own token (whose format differs
/// between Azure and Azurite) in base64url, so that any garbage is refused rather than read as "the end".
/// </summary>
public static class ContinuationToken
{
    public static string? Write(string? tableToken) =>
        tableToken is null ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(tableToken));

    public static bool TryRead(string token, out string? tableToken)
    {
        tableToken = null;
        if (token.Length is 0 or > 4096)
        {
            return false;
        }

        var bytes = new byte[Base64Url.GetMaxDecodedLength(token.Length)];
        if (Base64Url.DecodeFromChars(token, bytes, out var consumed, out var written) != System.Buffers.OperationStatus.Done || consumed != token.Length)
        {
            return false;
        }

        tableToken = Encoding.UTF8.GetString(bytes, 0, written);
        return tableToken.Length > 0 && !tableToken.Any(char.IsControl);
    }
}
