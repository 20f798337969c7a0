using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Retry;

namespace PayExCallbackFunctions;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CallbackEnvelope))]
[JsonSerializable(typeof(AcknowledgeResponse))]
[JsonSerializable(typeof(IReadOnlyList<RetryError>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string[]>))]
[JsonSerializable(typeof(DeadLetter))]
[JsonSerializable(typeof(DeadLetterPage))]
[JsonSerializable(typeof(ReplayResult))]
[JsonSerializable(typeof(ReplayAllResult))]
[JsonSerializable(typeof(Api.PaymentDocument))]
[JsonSerializable(typeof(Api.PaymentList))]
[JsonSerializable(typeof(Events.PaymentEventData))]
[JsonSerializable(typeof(Events.UndeliveredPage))]
[JsonSerializable(typeof(Events.EventReplayResult))]
internal sealed partial class AppJsonContext : JsonSerializerContext;

/// <summary>The app's serialisation: source-generated, and without HTML escaping, which would triple the size of a raw body full of '&lt;'.</summary>
internal static class AppJson
{
    public static AppJsonContext Context { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
