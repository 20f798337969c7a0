using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Processing;

/// <summary>
/// Under the host: a callback envelope of a version newer than this build reads, as a newer build writes it during a
/// rolling deploy, is put back for an instance of that build, not dead-lettered at once; after the deliveries allowed
/// it becomes a dead letter kept exactly as it came, for a replay by a build that reads it.
/// </summary>
public class NewerEnvelopeTests
{
    [Fact]
    public async Task A_newer_envelope_is_put_back_on_the_retry_schedule_and_dead_lettered_as_it_came_only_when_the_deliveries_run_out()
    {
        await using var run = await RunningApp.StartAsync(_ => { });
        var (storage, app) = (run.Storage, run.App);
        var payment = Guid.NewGuid();
        // A member this build does not know, and one it reads differently: neither may make it malformed here.
        var text = $$$"""{"version":3,"id":"from-a-newer-build","shape":"SomethingNew","payment":"/psp/creditcard/payments/{{{payment}}}","receivedAt":"2026-12-01T10:00:00Z","rawBody":"{}","routing":{"tenant":"t1"}}""";
        await storage.Queue.CreateIfNotExistsAsync();
        var sent = await storage.Queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)));
        var id = $"message-{sent.Value.MessageId}";
        var putBack = $"Queue message {sent.Value.MessageId} is a callback envelope of version 3, newer than this build reads (1 to 2): put back for";

        // The first delivery puts it back rather than dead-lettering it (and so do the next three: the dead letter below
        // counts five deliveries and holds the message unchanged).
        await app.WaitForOutputAsync($"{putBack} 00:00:01, for an instance of the newer build (delivery 1 of 5)");

        // Test settings: Retry__Schedule 1 s, 1 s, 2 s; the host's maxDequeueCount 5 allows four put-backs.
        var deadLetter = await Eventually.GetAsync(async () => (await storage.DeadLettersAsync()).SingleOrDefault(d => d.RowKey == id), $"dead letter {id}");
        Assert.Equal("Exhausted", deadLetter.GetString("Origin"));
        Assert.Equal(5, deadLetter.GetInt32("Attempts"));
        Assert.Equal(text, deadLetter.GetString("Message"));
        Assert.Contains("version 3, newer than this build reads (1 to 2). No instance of a build that reads it took it in 5 deliveries", deadLetter.GetString("Reason"), StringComparison.Ordinal);
        Assert.Contains($"{putBack} 00:00:02, for an instance of the newer build (delivery 4 of 5)", app.Output, StringComparison.Ordinal);
        await app.WaitForOutputAsync($"Queue message {sent.Value.MessageId} is a callback envelope of version 3, which no instance read in 5 deliveries: dead-lettered as it came");
        await Eventually.TrueAsync(async () => await storage.ApproximateCountAsync(storage.Queue) == 0, "the message to be completed");
        Assert.Equal(0, await storage.ApproximateCountAsync(storage.Poison));
        Assert.Empty(run.PayEx.State.Requests);

        // This build cannot replay it: it would have to rewrite what it does not know.
        using var replay = new HttpRequestMessage(HttpMethod.Post, $"/api/payex/deadletters/{id}/replay");
        replay.Headers.Add("x-functions-key", app.MasterKey);
        using var refused = await app.Raw.SendAsync(replay);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Contains("written by a newer build", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(text, (await storage.DeadLettersAsync()).Single(d => d.RowKey == id).GetString("Message"));
    }
}
