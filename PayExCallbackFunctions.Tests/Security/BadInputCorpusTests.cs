using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PayExCallbackFunctions.Tests.Security;

/// <summary>
/// The app the corpus is sent to: under the host (which checks the function keys), with a signing secret
/// whose signatures are checked when given but not required, and a queue listener that polls
/// rarely, so that anything wrongly enqueued would still be on the queue when the case looks.
/// </summary>
public sealed class BadInputCorpusApp() : RunningApp(new()
{
    ["Access__SigningSecret"] = BadInputCorpus.SigningSecret,
    ["Access__RequireSignature"] = "false",
    ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:01:00",
})
{
    private int _worker;

    /// <summary>The worker that served the first case: a case that crashed it would leave another.</summary>
    public int Worker => _worker > 0 ? _worker : _worker = App.WorkerProcessId;
}

/// <summary>
/// Every request in <see cref="BadInputCorpus"/> is refused with the status it deserves, as a
/// problem, without anything reaching the queue or PayEx, and leaves the app healthy; what passed
/// authentication and was refused for its content is in the rejected-callbacks table.
/// </summary>
public sealed class BadInputCorpusTests(BadInputCorpusApp fixture, ITestOutputHelper output) : IClassFixture<BadInputCorpusApp>
{
    public static TheoryData<NamedBadInput> Cases => new(BadInputCorpus.All.Select(c => new NamedBadInput(c.Name)));

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Is_refused_harmlessly(NamedBadInput badInput)
    {
        ArgumentNullException.ThrowIfNull(badInput);
        var input = BadInputCorpus.Named(badInput.Name);
        var payExRequestsBefore = fixture.PayEx.State.Requests.Count;
        var client = input.Client == CaseClient.Raw ? fixture.App.Raw : fixture.App.Http;

        using var request = input.ToRequest(fixture.PayEx.BaseUrl);
        using var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        var problems = new List<string>();
        output.WriteLine($"{status} {text}");

        if (status != input.ExpectedStatus)
        {
            problems.Add($"answered {status}, expected {input.ExpectedStatus}");
        }

        if (status is < 400 or >= 500)
        {
            problems.Add($"answered {status}, not a 4xx");
        }

        JsonObject? problem = null;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        // The host answers these itself, before the worker, with an empty body: 401 for a key, 404 for a method the route does not take.
        var hostAnswers = input.Category is BadInputCategory.Authentication or BadInputCategory.WrongMethod;
        if (hostAnswers)
        {
            if (text.Length > 0)
            {
                problems.Add("the host's refusal has a body");
            }
        }
        else if (mediaType != "application/problem+json")
        {
            problems.Add($"content type '{mediaType}', not application/problem+json");
        }
        else
        {
            problem = JsonNode.Parse(text)?.AsObject();
            if (problem?["status"]?.GetValue<int>() != status)
            {
                problems.Add("the problem's status is not the response's");
            }
        }

        await CheckNothingQueuedAsync(problems);
        if (fixture.PayEx.State.Requests.Count != payExRequestsBefore)
        {
            problems.Add("PayEx was called");
        }

        if (status is 400 or 413 or 415)
        {
            await CheckRejectionRecordedAsync(problem, status, problems);
        }

        // Healthy afterwards: the host runs, and the same worker still serves.
        using (var health = await fixture.App.Raw.GetAsync($"/admin/host/status?code={Uri.EscapeDataString(fixture.App.MasterKey)}"))
        {
            var worker = fixture.App.WorkerProcessId;
            if (health.StatusCode != HttpStatusCode.OK || fixture.App.HasExited || worker != fixture.Worker)
            {
                problems.Add($"the app is not healthy afterwards (host status {(int)health.StatusCode}, exited {fixture.App.HasExited}, worker {worker} after {fixture.Worker})");
            }
        }

        // A 5xx is a bug: show what the app logged about it.
        var log = status >= 500 ? $"\nApp log: {AppLogTail()}" : "";
        Assert.True(problems.Count == 0, $"{input.Name}: {string.Join("; ", problems)}.\nResponse: {status} {Shorten(text)}{log}");
    }

    [Fact]
    public void The_corpus_has_at_least_150_cases_with_distinct_names()
    {
        Assert.True(BadInputCorpus.All.Count >= 150, $"only {BadInputCorpus.All.Count} cases");
        var duplicates = BadInputCorpus.All.GroupBy(c => c.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);
    }

    [Fact]
    public void Every_category_is_in_the_corpus()
    {
        var present = BadInputCorpus.All.Select(c => c.Category).ToHashSet();
        var missing = Enum.GetValues<BadInputCategory>().Where(c => !present.Contains(c)).ToList();
        Assert.True(missing.Count == 0, $"no cases for {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_shapes_the_corpus_breaks_are_valid_callbacks_as_they_are()
    {
        // So that each case is refused for what it changed, not for something already wrong.
        var parser = new CallbackParser(new Uri("http://127.0.0.1:12345/"));
        foreach (var (name, shape) in BadInputCorpus.Shapes)
        {
            var ok = parser.TryParse(Encoding.UTF8.GetBytes(shape().ToJsonString()), "id", DateTimeOffset.UtcNow, out _, out var rejection);
            Assert.True(ok, $"{name}: {rejection?.Title} {string.Join(", ", rejection?.Errors.Keys ?? [])}");
        }
    }

    private async Task CheckNothingQueuedAsync(List<string> problems)
    {
        foreach (var queue in new[] { fixture.Storage.Queue, fixture.Storage.Poison })
        {
            var peeked = await TestStorage.PeekAsync(queue);
            var count = await fixture.Storage.ApproximateCountAsync(queue);
            if (peeked.Count > 0 || count > 0)
            {
                problems.Add($"{count} message(s) on {queue.Name}: {Shorten(string.Join(" | ", peeked))}");
                // Keep the next cases clean.
                await queue.ClearMessagesAsync();
            }
        }
    }

    private async Task CheckRejectionRecordedAsync(JsonObject? problem, int status, List<string> problems)
    {
        var callbackId = problem?["callbackId"]?.GetValue<string>();
        if (string.IsNullOrEmpty(callbackId))
        {
            problems.Add("the problem has no callbackId");
            return;
        }

        var rows = new List<TableEntity>();
        try
        {
            await foreach (var row in fixture.Storage.Rejected.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"CallbackId eq {callbackId}")))
            {
                rows.Add(row);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }

        if (rows.Count != 1)
        {
            problems.Add($"{rows.Count} rejected-callback rows for {callbackId}, expected 1");
            return;
        }

        var recorded = rows[0];
        if (recorded.GetString("CallbackId") != callbackId)
        {
            problems.Add("the rejected-callback row's CallbackId is not the problem's callbackId");
        }

        if (recorded.GetInt32("Status") != status)
        {
            problems.Add($"the rejected-callback row's Status is {recorded.GetInt32("Status")}, not {status}");
        }

        if (string.IsNullOrEmpty(recorded.GetString("Reason")))
        {
            problems.Add("the rejected-callback row has no Reason");
        }

        if (string.IsNullOrEmpty(recorded.GetString("ClientAddress")))
        {
            problems.Add("the rejected-callback row has no ClientAddress");
        }
    }

    private string AppLogTail()
    {
        var lines = fixture.App.Output.Split('\n');
        var last = Array.FindLastIndex(lines, l => l.Contains("fail:", StringComparison.Ordinal));
        return last < 0 ? "(nothing logged as failed)" : string.Join('\n', lines.Skip(last).Take(12));
    }

    private static string Shorten(string text) => text.Length > 600 ? text[..600] + "..." : text;
}

/// <summary>A corpus case by name: serializable, so each case is a test of its own, and shown by its whole name (xunit cuts strings at 50 characters).</summary>
public sealed class NamedBadInput : IXunitSerializable
{
    [Obsolete("For the xunit deserializer only.")]
    public NamedBadInput()
    {
    }

    public NamedBadInput(string name) => Name = name;

    public string Name { get; private set; } = "";

    public void Deserialize(IXunitSerializationInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        Name = info.GetValue<string>(nameof(Name));
    }

    public void Serialize(IXunitSerializationInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.AddValue(nameof(Name), Name);
    }

    public override string ToString() => Name;
}
