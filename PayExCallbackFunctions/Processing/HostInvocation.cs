using System.Text.Json;
using System.Text.Json.Serialization;

namespace PayExCallbackFunctions.Processing;

/// <summary>What the Functions host POSTs to a custom handler for a non-HTTP trigger.</summary>
public sealed class InvocationRequest
{
    public Dictionary<string, JsonElement> Data { get; set; } = [];

    public Dictionary<string, JsonElement> Metadata { get; set; } = [];
}

/// <summary>What a custom handler answers; <c>Logs</c> become the invocation's log lines in the host.</summary>
public sealed class InvocationResponse
{
    [JsonPropertyName("Outputs")]
    public Dictionary<string, JsonElement> Outputs { get; set; } = [];

    [JsonPropertyName("Logs")]
    public List<string> Logs { get; set; } = [];

    [JsonPropertyName("ReturnValue")]
    public JsonElement? ReturnValue { get; set; }
}
