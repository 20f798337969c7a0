using System.Text.Json.Nodes;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// PayEx's example JSON (callbacks in TestData/, resources in the stand-in's Examples/), with their
/// ids swapped for fresh ones so that tests sharing Azurite never share a partition.
/// </summary>
public sealed class Examples
{
    public const string DocsPaymentId = "7e6cdfc3-1276-44e9-9992-7cf4419750e1";
    public const string DocsTransactionId = "ec2a9b09-601a-42ae-8e33-a5737e1cf177";

    private readonly Dictionary<string, Guid> _ids = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The fresh id standing for <paramref name="exampleId"/> in this test.</summary>
    public Guid Id(string exampleId)
    {
        if (!_ids.TryGetValue(exampleId, out var id))
        {
            _ids[exampleId] = id = Guid.NewGuid();
        }

        return id;
    }

    public string Callback(string file) => Swap(File.ReadAllText(RepoPaths.TestData(file)));

    public string Resource(string file) => Swap(File.ReadAllText(RepoPaths.StandInExample(file)));

    public static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private string Swap(string json)
    {
        foreach (var exampleId in new[]
                 {
                     DocsPaymentId, DocsTransactionId,
                     "c3ac1392-35b0-43a6-8f27-08dbce43b47c", "a9bd5ea2-d2b0-48d1-59c8-08dc230b04ba",
                     "5f8e1d2c-3b4a-4c6d-8e9f-0a1b2c3d4e5f", "0dac01c4-3c2e-4f32-31d2-08d8df0d48aa",
                     "ac44c139-99d7-4f02-a10f-08db0362a155", "40e97bac-9387-42a9-b87e-08db03630610",
                 })
        {
            json = json.Replace(exampleId, Id(exampleId).ToString("D"), StringComparison.OrdinalIgnoreCase);
        }

        return json;
    }
}
