namespace PayExCallbackFunctions.Events;

/// <summary>A Standard Webhooks secret: <c>whsec_</c> and the base64 of the HMAC key, 24-64 bytes.</summary>
public static class WebhookSecret
{
    public const string Prefix = "whsec_";

    public static bool TryParse(string? secret, out byte[] key)
    {
        key = [];
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var text = secret[Prefix.Length..];
        var bytes = new byte[(text.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(text, bytes, out var length) || length is < 24 or > 64)
        {
            return false;
        }

        key = bytes[..length];
        return true;
    }
}
