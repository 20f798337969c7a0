using System.Text.Json;
using System.Text.RegularExpressions;
using PayExCallbackFunctions.Access;
using PayExCallbackFunctions.Callbacks;

namespace PayExCallbackFunctions.Processing;

/// <summary>Reads a queue message back into a <see cref="CallbackEnvelope"/>.</summary>
public static partial class CallbackMessage
{
    public static CallbackEnvelope Read(string text)
    {
        JsonElement message;
        try
        {
            using var document = JsonDocument.Parse(text);
            message = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidCallbackMessageException("The queue message is not JSON.", e);
        }

        return message.ValueKind == JsonValueKind.Object
            ? Deserialize(message)
            : throw new InvalidCallbackMessageException($"The queue message is a JSON {message.ValueKind}, not a callback envelope.");
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
