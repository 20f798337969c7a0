using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace PayExCallbackFunctions.Access;

/// <summary>
/// Signs and verifies the order reference of a per-order callback URL:
/// <c>base64url(HMAC-SHA256(UTF-8(secret), UTF-8("payex-callback-v1:" + orderReference)))</c>.
/// </summary>
public static class CallbackSignature
{
    public const int MaxOrderReferenceLength = 128;

    // Binds the MAC to this use and version, so that the secret's MACs for anything else do not fit.
    private const string Context = "payex-callback-v1:";

    private const int SignatureLength = 43; // 32 bytes, base64url without padding

    /// <summary>True for an order reference a callback URL can be signed for: 1-128 characters of Unicode text, none of them control characters.</summary>
    public static bool IsValidOrderReference(string? orderReference) =>
        !string.IsNullOrEmpty(orderReference)
        && orderReference.Length <= MaxOrderReferenceLength
        && !orderReference.Any(char.IsControl)
        && IsUnicodeText(orderReference);

    // A lone surrogate has no UTF-8 form: encoding turns each into U+FFFD, so two different
    // references would share one signature.
    private static bool IsUnicodeText(string value)
    {
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            rest = rest[consumed..];
        }

        return true;
    }

    public static string Sign(string orderReference, string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (!IsValidOrderReference(orderReference))
        {
            throw new ArgumentException($"An order reference must be 1-{MaxOrderReferenceLength} characters, none of them control characters.", nameof(orderReference));
        }

        return Base64Url.EncodeToString(Mac(orderReference, secret));
    }

    /// <summary>True if <paramref name="signature"/> is the order reference's signature under any of the secrets.</summary>
    public static bool Verify(string? orderReference, string? signature, IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        if (!IsValidOrderReference(orderReference) || signature is not { Length: SignatureLength })
        {
            return false;
        }

        // TryDecodeFromChars throws, not fails, on characters outside the alphabet.
        Span<byte> given = stackalloc byte[SHA256.HashSizeInBytes + 1];
        if (!Base64Url.IsValid(signature) || !Base64Url.TryDecodeFromChars(signature, given, out var written) || written != SHA256.HashSizeInBytes)
        {
            return false;
        }

        var valid = false;
        foreach (var secret in secrets)
        {
            valid |= CryptographicOperations.FixedTimeEquals(Mac(orderReference!, secret), given[..written]);
        }

        return valid;
    }

    private static byte[] Mac(string orderReference, string secret) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(Context + orderReference));
}
