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

        if (message.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidCallbackMessageException($"The queue message is a JSON {message.ValueKind}, not a callback envelope.");
        }

        // The version first: a newer envelope may not fit this build's reading of its members, and is not this build's to judge.
        var version = VersionOf(message);
        if (version > CallbackEnvelope.CurrentVersion)
        {
            throw new NewerCallbackEnvelopeException(version);
        }

        return Deserialize(message);
    }

    private static int VersionOf(JsonElement message)
    {
        JsonElement? version = null;
        foreach (var property in message.EnumerateObject())
        {
            // As the serializer reads it: names in any case, the last one of a repeated name.
            if (string.Equals(property.Name, "version", StringComparison.OrdinalIgnoreCase))
            {
                version = property.Value;
            }
        }

        return version switch
        {
            null => throw new InvalidCallbackMessageException("The queue message has no version: it is not a callback envelope."),
            { ValueKind: JsonValueKind.Number } number when number.TryGetInt32(out var value) && value >= 1 => value,
            _ => throw new InvalidCallbackMessageException("The queue message's version is not a whole number from 1: it is not a callback envelope."),
        };
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

/// <summary>
/// A callback envelope of a version newer than this build reads: a newer build wrote it (old and new instances share
/// the queue during a deploy), and an instance of that build can process it. Not this build's to dead-letter at once.
/// </summary>
public sealed class NewerCallbackEnvelopeException : Exception
{
    public NewerCallbackEnvelopeException() { }

    public NewerCallbackEnvelopeException(int version)
        : base($"The queue message is a callback envelope of version {version}, newer than this build reads (1 to {CallbackEnvelope.CurrentVersion}).") =>
        Version = version;

    public NewerCallbackEnvelopeException(string message) : base(message) { }

    public NewerCallbackEnvelopeException(string message, Exception inner) : base(message, inner) { }

    public int Version { get; }
}

/// <summary>A queue message that can never be processed, however often it is tried.</summary>
public sealed class InvalidCallbackMessageException : Exception
{
    public InvalidCallbackMessageException() { }

    public InvalidCallbackMessageException(string message) : base(message) { }

    public InvalidCallbackMessageException(string message, Exception inner) : base(message, inner) { }
}
