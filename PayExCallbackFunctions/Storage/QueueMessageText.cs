using System.Text;

namespace PayExCallbackFunctions.Storage;

/// <summary>
/// How the app's queue messages are written and read. It writes base64, the Functions host's default, so that every
/// host reads what it wrote, an older build's during a deploy included. The host hands messages over as they are
/// (host.json's <c>messageEncoding</c> is <c>none</c>) and they are decoded here: a host that decodes base64 itself
/// cannot hand a message that is not base64 to any function, and such a message stays in the poison queue for good.
/// </summary>
public static class QueueMessageText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static BinaryData Encode(ReadOnlySpan<byte> utf8) => new(Convert.ToBase64String(utf8));

    public static BinaryData Encode(string text) => Encode(Encoding.UTF8.GetBytes(text));

    /// <summary>The text of base64 that holds UTF-8 text, or else the body as it came (a message this app did not write).</summary>
    public static DecodedText Decode(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var bytes = new byte[body.Length / 4 * 3 + 3];
        if (Convert.TryFromBase64String(body, bytes, out var length))
        {
            try
            {
                return new DecodedText(StrictUtf8.GetString(bytes, 0, length), IsBase64: true);
            }
            catch (DecoderFallbackException)
            {
                // Base64 of bytes that are no text: not what this app writes either.
            }
        }

        return new DecodedText(body, IsBase64: false);
    }
}

/// <summary>A queue message's text, and whether it came as base64, as the app writes its messages.</summary>
public readonly record struct DecodedText(string Text, bool IsBase64);
