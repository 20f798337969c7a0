using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PayExCallbackFunctions.OrderSystem.Webhooks;

/// <summary>
/// Verifies a delivery signed as Standard Webhooks v1: <c>webhook-signature</c> holds one or more space-separated
/// <c>v1,&lt;base64 HMAC-SHA256&gt;</c> over <c>{webhook-id}.{webhook-timestamp}.{body}</c>, keyed by the secret's
/// bytes; the timestamp must be within <see cref="Tolerance"/> of now either way, so that a captured delivery cannot be
/// replayed later. Any of the configured secrets may match (the sender rotating them).
/// </summary>
/// <remarks>
/// Written here rather than taken from the StandardWebhooks package (1.1.2): that one reads the wall clock, so its
/// tolerance cannot be tested; it refuses a valid signature that comes last of several, as a rotating sender sends it;
/// and it throws an ArgumentNullException for an empty <c>v1,</c>.
/// </remarks>
public sealed class WebhookVerifier(IReadOnlyList<byte[]> keys, TimeProvider time)
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private const string Prefix = "whsec_";

    /// <summary>The HMAC key of a <c>whsec_</c> secret: the base64 after the prefix, 24 to 64 bytes.</summary>
    public static bool TryDecodeSecret(string? secret, out byte[] key)
    {
        key = [];
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var buffer = new byte[64];
        if (!Convert.TryFromBase64String(secret[Prefix.Length..], buffer, out var length) || length < 24)
        {
            return false;
        }

        key = buffer[..length];
        return true;
    }

    /// <summary>Null if the delivery is signed by one of the secrets within the tolerance; else why it is refused.</summary>
    public string? Refusal(string? id, string? timestamp, string? signatures, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures))
        {
            return $"The headers {IdHeader}, {TimestampHeader} and {SignatureHeader} are all required.";
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return $"{TimestampHeader} is not a number of seconds since 1970.";
        }

        var skew = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (skew.Duration() > Tolerance)
        {
            return $"{TimestampHeader} is {(skew > TimeSpan.Zero ? "older" : "later")} than the tolerance of {Tolerance.TotalMinutes} minutes.";
        }

        var signed = new byte[Encoding.UTF8.GetByteCount(id) + Encoding.UTF8.GetByteCount(timestamp) + 2 + body.Length];
        var written = Encoding.UTF8.GetBytes($"{id}.{timestamp}.", signed);
        body.CopyTo(signed.AsSpan(written));
        var expected = keys.Select(key => HMACSHA256.HashData(key, signed)).ToList();

        // Each signature is compared with each secret's MAC in constant time; a signature of another version is skipped.
        var given = new byte[HMACSHA256.HashSizeInBytes + 3];
        foreach (var signature in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (signature.StartsWith("v1,", StringComparison.Ordinal)
                && Convert.TryFromBase64String(signature[3..], given, out var length)
                && length == HMACSHA256.HashSizeInBytes
                && expected.Any(mac => CryptographicOperations.FixedTimeEquals(mac, given.AsSpan(0, length))))
            {
                return null;
            }
        }

        return "No v1 signature matches the body with any of the configured secrets.";
    }
}
