using System.Text.Json;
using System.Text.RegularExpressions;
using PayExCallbackFunctions.Access;
using PayExCallbackFunctions.Callbacks;

namespace PayExCallbackFunctions.Processing;

/// <summary>Reads a queue message back into a <see cref="CallbackEnvelope"/>.</summary>
public static partial class CallbackMessage
{
    /// <summary>
    /// The Functions host hands a queue message over as a JSON object, or as a JSON string holding
    /// the message text (sometimes JSON-encoded once more); all three are accepted.
    /// </summary>
    public static CallbackEnvelope Read(JsonElement message)
    {
        for (var depth = 0; depth < 3; depth++)
        {
            switch (message.ValueKind)
            {
                case JsonValueKind.Object:
                    return Deserialize(message);
                case JsonValueKind.String:
                    message = ParseText(message.GetString()!);
                    continue;
                default:
                    throw new InvalidCallbackMessageException($"The queue message is a JSON {message.ValueKind}, not a callback envelope.");
            }
        }

        throw new InvalidCallbackMessageException("The queue message is JSON-encoded too many times.");
    }

    public static CallbackEnvelope Read(string text) => Read(ParseText(text));

    private static JsonElement ParseText(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidCallbackMessageException("The queue message is not JSON.", e);
        }
    }

    private static CallbackEnvelope Deserialize(JsonElement message)
    {
        CallbackEnvelope? envelope;
        try
        {
            envelope = message.Deserialize(AppJson.Context.CallbackEnvelope);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string escape that is no Unicode text (a lone surrogate).
            throw new InvalidCallbackMessageException("The queue message is not a callback envelope.", e);
        }

        if (envelope is null || envelope.Version is < 1 or > CallbackEnvelope.CurrentVersion)
        {
            throw new InvalidCallbackMessageException($"The queue message is not a callback envelope of version 1 to {CallbackEnvelope.CurrentVersion}.");
        }

        // The id keys its dead letter: a table key must not hold '/', '#', '?' or a backslash.
        if (!ValidId().IsMatch(envelope.Id))
        {
            throw new InvalidCallbackMessageException("The queue message's id is not a callback id.");
        }

        if (envelope.SignedOrderReference is not null && !CallbackSignature.IsValidOrderReference(envelope.SignedOrderReference))
        {
            throw new InvalidCallbackMessageException("The queue message's signed order reference is not an order reference.");
        }

        return envelope;
    }

    [GeneratedRegex("^[A-Za-z0-9-]{1,128}$")]
    private static partial Regex ValidId();
}

/// <summary>A queue message that can never be processed, however often it is tried.</summary>
public sealed class InvalidCallbackMessageException : Exception
{
    public InvalidCallbackMessageException() { }

    public InvalidCallbackMessageException(string message) : base(message) { }

    public InvalidCallbackMessageException(string message, Exception inner) : base(message, inner) { }
}
