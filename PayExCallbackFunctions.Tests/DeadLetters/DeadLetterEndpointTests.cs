using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.DeadLetters;

/// <summary>
/// The admin functions over the dead letters, under the host (admin level: the master key): list, read,
/// discard, replay one, replay all. The fixture's dead-letter table is shared by the tests of this class, so
/// each test looks only at the dead letters of the callbacks it sent.
/// </summary>
public class DeadLetterEndpointTests(RunningApp fixture) : IClassFixture<RunningApp>
{
    private const string Route = "/api/payex/deadletters";
    private readonly ExampleCallback _callback = new();

    private Guid P => _callback.Payment;

    private Guid T => _callback.Transaction;

    [Fact]
    public async Task Without_the_master_key_the_host_answers_401_to_every_function_and_nothing_changes()
    {
        var id = await DeadLetteredCallbackAsync(_callback);
        var before = await GetDeadLetterAsync(id);

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, Route, key: null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, $"{Route}/{id}", key: null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Delete, $"{Route}/{id}", key: null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Post, $"{Route}/{id}/replay", key: null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Post, $"{Route}/replay", key: null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Delete, $"{Route}/{id}", key: "wrong-key")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Post, $"{Route}/{id}/replay", key: fixture.App.MasterKey + "x")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Delete, $"{Route}/{id}", key: fixture.App.CallbackKey)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, $"{Route}?code=wrong-key", key: null)).Status);

        // Neither discarded nor replayed (a replay would have removed it, or dead-lettered it anew).
        var after = await GetDeadLetterAsync(id);
        Assert.NotNull(after);
        Assert.True(JsonNode.DeepEquals(before, after), $"The dead letter changed:\n{before}\n{after}");

        var withCode = await SendAsync(HttpMethod.Get, $"{Route}?code={Uri.EscapeDataString(fixture.App.MasterKey)}", key: null);
        Assert.Equal(HttpStatusCode.OK, withCode.Status);
        Assert.NotNull(withCode.Json["items"]);
        var oneWithCode = await SendAsync(HttpMethod.Get, $"{Route}/{id}?code={Uri.EscapeDataString(fixture.App.MasterKey)}", key: null);
        Assert.Equal(HttpStatusCode.OK, oneWithCode.Status);
        Assert.Equal(id, oneWithCode.Json["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_callback_whose_payment_PayEx_answers_404_to_is_listed_as_a_permanent_dead_letter()
    {
        var id = await DeadLetteredCallbackAsync(_callback);

        var item = Assert.Single(await ListAllAsync(), i => i["id"]!.GetValue<string>() == id);
        Assert.Equal("Permanent", item["origin"]!.GetValue<string>());
        Assert.Contains("404", item["reason"]!.GetValue<string>());
        Assert.Contains(_callback.PaymentPath, item["reason"]!.GetValue<string>());
        Assert.Equal(1, item["attempts"]!.GetValue<int>());
        Assert.Equal(_callback.PaymentPath, item["payment"]!.GetValue<string>());
        Assert.Equal($"{_callback.PaymentPath}/authorizations/{T}", item["transaction"]!.GetValue<string>());
        Assert.Equal("V1Nested", item["shape"]!.GetValue<string>());
        var error = Assert.Single(item["errors"]!.AsArray())!;
        Assert.Equal(1, error["attempt"]!.GetValue<int>());
        Assert.Equal("Permanent", error["kind"]!.GetValue<string>());
        Assert.Contains("404", error["error"]!.GetValue<string>());
        Assert.False(item.ContainsKey("message"), "A list item carries no message.");
        await fixture.App.WaitForOutputAsync($"Callback {id} was dead-lettered (Permanent) after 1 attempt, for {_callback.PaymentPath}: ");
        Assert.DoesNotContain($"Callback {id} was dead-lettered (Permanent) after 1 attempts", fixture.App.Output);

        var one = await GetDeadLetterAsync(id);
        Assert.NotNull(one);
        Assert.Equal("Permanent", one["origin"]!.GetValue<string>());
        var message = JsonNode.Parse(one["message"]!.GetValue<string>())!;
        Assert.Equal(id, message["id"]!.GetValue<string>());
        Assert.Equal(_callback.PaymentPath, message["payment"]!.GetValue<string>());
        Assert.Equal(1, message["retry"]!["attempts"]!.GetValue<int>());
        Assert.Empty(await fixture.Storage.RowsAsync(P));
    }

    [Fact]
    public async Task Replaying_a_dead_letter_once_PayEx_has_the_payment_stores_it_with_a_fresh_attempt_count()
    {
        var id = await DeadLetteredCallbackAsync(_callback);
        _callback.Serve(fixture.PayEx);
        // One transient failure of the replayed callback shows which attempt the retry path counts it as.
        fixture.PayEx.State.AddFault(new Fault { Path = _callback.PaymentPath, Status = 429, Remaining = 1 });

        var replay = await SendAsync(HttpMethod.Post, $"{Route}/{id}/replay");

        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.Equal(id, replay.Json["id"]!.GetValue<string>());
        Assert.True(replay.Json["replayed"]!.GetValue<bool>());
        AssertProblem(await SendAsync(HttpMethod.Get, $"{Route}/{id}"), HttpStatusCode.NotFound);
        await fixture.Storage.WaitForRowsAsync(P, _callback.RowKeys);
        Assert.Contains($"Callback {id} failed (attempt 1 of ", fixture.App.Output);
        Assert.DoesNotContain($"Callback {id} failed (attempt 2 of ", fixture.App.Output);
        AssertProblem(await SendAsync(HttpMethod.Get, $"{Route}/{id}"), HttpStatusCode.NotFound);
        Assert.DoesNotContain(await ListAllAsync(), i => i["id"]!.GetValue<string>() == id);
    }

    [Fact]
    public async Task Replaying_all_puts_every_dead_letter_back_on_the_queue()
    {
        var callbacks = new[] { new ExampleCallback(), new ExampleCallback(), new ExampleCallback() };
        var ids = new List<string>();
        foreach (var callback in callbacks)
        {
            ids.Add(await DeadLetteredCallbackAsync(callback));
        }

        foreach (var callback in callbacks)
        {
            callback.Serve(fixture.PayEx);
        }

        var replay = await SendAsync(HttpMethod.Post, $"{Route}/replay");

        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.True(replay.Json["replayed"]!.GetValue<int>() >= 3, $"Replayed fewer than 3: {replay.Body}");
        Assert.DoesNotContain(replay.Json["failed"]!.AsArray(), f => ids.Contains(f!["id"]!.GetValue<string>()));
        Assert.False(replay.Json["more"]!.GetValue<bool>());
        foreach (var callback in callbacks)
        {
            await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
        }

        Assert.DoesNotContain(await ListAllAsync(), i => ids.Contains(i["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Replaying_a_dead_letter_whose_payment_is_still_missing_dead_letters_it_again()
    {
        var id = await DeadLetteredCallbackAsync(_callback);
        var first = (await GetDeadLetterAsync(id))!;
        var firstAt = first["deadLetteredAt"]!.GetValue<DateTimeOffset>();

        var replay = await SendAsync(HttpMethod.Post, $"{Route}/{id}/replay");
        Assert.Equal(HttpStatusCode.OK, replay.Status);

        var again = await Eventually.GetAsync(async () =>
            await GetDeadLetterAsync(id) is { } d && d["deadLetteredAt"]!.GetValue<DateTimeOffset>() > firstAt ? d : null,
            $"callback {id} to be dead-lettered again");
        Assert.Equal("Permanent", again["origin"]!.GetValue<string>());
        Assert.Contains("404", again["reason"]!.GetValue<string>());
        // Counted afresh: one attempt, one error, not the first run's added on.
        Assert.Equal(1, again["attempts"]!.GetValue<int>());
        Assert.Single(again["errors"]!.AsArray());
        Assert.Equal(2, fixture.PayEx.State.Requests.Count(r => r.PathAndQuery.Split('?')[0] == _callback.PaymentPath));
        Assert.Single(await ListAllAsync(), i => i["id"]!.GetValue<string>() == id);
    }

    [Fact]
    public async Task Of_concurrent_replays_of_one_dead_letter_one_wins_and_it_is_processed_once()
    {
        var id = await DeadLetteredCallbackAsync(_callback);
        var first = (await GetDeadLetterAsync(id))!["deadLetteredAt"]!.GetValue<DateTimeOffset>();

        var replays = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SendAsync(HttpMethod.Post, $"{Route}/{id}/replay")));

        Assert.Single(replays, r => r.Status == HttpStatusCode.OK);
        foreach (var refused in replays.Where(r => r.Status != HttpStatusCode.OK))
        {
            // 404 for one that came after the winner had removed it.
            AssertProblem(refused, refused.Status == HttpStatusCode.NotFound ? HttpStatusCode.NotFound : HttpStatusCode.Conflict);
        }

        // The one replay fails again (PayEx still has no payment) and is dead-lettered anew; then nothing else is left to run.
        await Eventually.GetAsync(async () =>
            await GetDeadLetterAsync(id) is { } d && d["deadLetteredAt"]!.GetValue<DateTimeOffset>() > first ? d : null,
            $"callback {id} to be dead-lettered again");
        await Eventually.TrueAsync(async () => await fixture.Storage.ApproximateCountAsync(fixture.Storage.Queue) == 0, "the callback queue to be empty");
        Assert.Equal(2, fixture.PayEx.State.Requests.Count(r => r.PathAndQuery.Split('?')[0] == _callback.PaymentPath));
    }

    [Fact]
    public async Task A_dead_letter_claimed_by_a_replay_is_refused_until_the_claim_lapses()
    {
        var id = await DeadLetteredCallbackAsync(_callback);
        _callback.Serve(fixture.PayEx);

        // As a replay that claimed it a moment ago and is still enqueueing it (or died doing so) leaves it.
        await ClaimAsync(id, DateTimeOffset.UtcNow);
        var refused = await SendAsync(HttpMethod.Post, $"{Route}/{id}/replay");
        AssertProblem(refused, HttpStatusCode.Conflict);
        Assert.Contains("being replayed", refused.Json["detail"]!.GetValue<string>());
        Assert.NotNull(await GetDeadLetterAsync(id));
        Assert.Empty(await fixture.Storage.RowsAsync(P));

        // Claimed longer ago than a replay takes: that replay died, and this one takes over.
        await ClaimAsync(id, DateTimeOffset.UtcNow.AddMinutes(-3));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"{Route}/{id}/replay")).Status);
        await fixture.Storage.WaitForRowsAsync(P, _callback.RowKeys);
        AssertProblem(await SendAsync(HttpMethod.Get, $"{Route}/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Discarding_a_dead_letter_removes_it()
    {
        var id = await DeadLetteredCallbackAsync(_callback);

        var discard = await SendAsync(HttpMethod.Delete, $"{Route}/{id}");

        Assert.Equal(HttpStatusCode.NoContent, discard.Status);
        AssertProblem(await SendAsync(HttpMethod.Get, $"{Route}/{id}"), HttpStatusCode.NotFound);
        Assert.DoesNotContain(await ListAllAsync(), i => i["id"]!.GetValue<string>() == id);
        Assert.DoesNotContain(await fixture.Storage.DeadLettersAsync(), d => d.RowKey == id);
        AssertProblem(await SendAsync(HttpMethod.Delete, $"{Route}/{id}"), HttpStatusCode.NotFound);
        AssertProblem(await SendAsync(HttpMethod.Delete, $"{Route}/{Guid.NewGuid():N}"), HttpStatusCode.NotFound);
        await Eventually.TrueAsync(
            () => Task.FromResult(fixture.App.Output.Contains($"Dead letter {id} (Permanent, for {_callback.PaymentPath}) was discarded through the admin API, asked from ", StringComparison.Ordinal)),
            "the discard's log line");
    }

    [Fact]
    public async Task A_dead_letter_a_replay_holds_is_not_discarded()
    {
        var id = await DeadLetteredCallbackAsync(_callback);
        await ClaimAsync(id, DateTimeOffset.UtcNow);

        var refused = await SendAsync(HttpMethod.Delete, $"{Route}/{id}");

        AssertProblem(refused, HttpStatusCode.Conflict);
        Assert.Contains("is being replayed", refused.Json["detail"]!.GetValue<string>());
        var kept = await GetDeadLetterAsync(id);
        Assert.NotNull(kept);
        Assert.NotNull(kept["replayClaimedAt"]?.GetValue<DateTimeOffset>());

        // A claim that lapsed (its replay died) holds nothing.
        await ClaimAsync(id, DateTimeOffset.UtcNow.AddMinutes(-3));
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, $"{Route}/{id}")).Status);
    }

    [Fact]
    public async Task A_queue_message_that_is_no_envelope_is_dead_lettered_as_it_came_and_cannot_be_replayed()
    {
        await fixture.Storage.Queue.CreateIfNotExistsAsync();
        var sent = await fixture.Storage.Queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("not json")));
        var id = $"message-{sent.Value.MessageId}";

        var deadLetter = await Eventually.GetAsync(() => GetDeadLetterAsync(id), $"dead letter {id}");
        Assert.Equal("Permanent", deadLetter["origin"]!.GetValue<string>());
        Assert.Equal("not json", deadLetter["message"]!.GetValue<string>());
        Assert.Contains("not JSON", deadLetter["reason"]!.GetValue<string>());
        Assert.Contains(await ListAllAsync(), i => i["id"]!.GetValue<string>() == id);

        var replay = await SendAsync(HttpMethod.Post, $"{Route}/{id}/replay");

        AssertProblem(replay, HttpStatusCode.UnprocessableEntity);
        var kept = await GetDeadLetterAsync(id);
        Assert.NotNull(kept);
        Assert.Equal("not json", kept["message"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(deadLetter, kept), $"The dead letter changed:\n{deadLetter}\n{kept}");
    }

    [Fact]
    public async Task A_queue_message_that_is_not_base64_is_dead_lettered_as_it_came_neutralised_and_can_be_discarded_not_replayed()
    {
        // Written as anyone with the storage key can write it: not in the base64 the app writes.
        var raw = new QueueClient(fixture.Storage.Azurite.ConnectionString, fixture.Storage.QueueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await raw.CreateIfNotExistsAsync();
        // With a right-to-left override, which could disguise the text where it is shown.
        var text = $$"""not base64 {"payment":"{{_callback.PaymentPath}}"} """ + "\u202e";
        var sent = await raw.SendMessageAsync(text);
        // Bytes that are not UTF-8: the SDK sends them as text, U+FFFD for each it cannot read.
        var bytes = await raw.SendMessageAsync(new BinaryData(new byte[] { 0xff, 0xfe, 0x41, 0xc3 }));
        var id = $"message-{sent.Value.MessageId}";

        var deadLetter = await Eventually.GetAsync(() => GetDeadLetterAsync(id), $"dead letter {id}");
        Assert.Equal("Permanent", deadLetter["origin"]!.GetValue<string>());
        Assert.StartsWith("Not base64, so not a message this app wrote", deadLetter["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(text.Replace("\u202e", "\\u202e", StringComparison.Ordinal), deadLetter["message"]!.GetValue<string>());
        var fromBytes = await Eventually.GetAsync(() => GetDeadLetterAsync($"message-{bytes.Value.MessageId}"), "the dead letter of the bytes");
        Assert.Equal("\uFFFD\uFFFDA\uFFFD", fromBytes["message"]!.GetValue<string>());
        Assert.Contains(await ListAllAsync(), i => i["id"]!.GetValue<string>() == id);
        // The host deletes each message once the function that wrote its dead letter has returned.
        await Eventually.TrueAsync(async () => await fixture.Storage.ApproximateCountAsync(fixture.Storage.Queue) == 0, "both messages to be completed");
        Assert.Equal(0, await fixture.Storage.ApproximateCountAsync(fixture.Storage.Poison));

        AssertProblem(await SendAsync(HttpMethod.Post, $"{Route}/{id}/replay"), HttpStatusCode.UnprocessableEntity);
        Assert.True(JsonNode.DeepEquals(deadLetter, await GetDeadLetterAsync(id)), "The refused replay changed the dead letter.");
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, $"{Route}/{id}")).Status);
        Assert.Null(await GetDeadLetterAsync(id));
    }

    [Fact]
    public async Task A_message_that_is_not_base64_on_the_poison_queue_becomes_a_dead_letter_too()
    {
        var poison = new QueueClient(fixture.Storage.Azurite.ConnectionString, fixture.Storage.Poison.Name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await poison.CreateIfNotExistsAsync();
        var id = $"message-{(await poison.SendMessageAsync("not base64, on the poison queue")).Value.MessageId}";

        var deadLetter = await Eventually.GetAsync(() => GetDeadLetterAsync(id), $"dead letter {id}");
        Assert.Equal("Poison", deadLetter["origin"]!.GetValue<string>());
        Assert.StartsWith("Not base64, so not a message this app wrote", deadLetter["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("not base64, on the poison queue", deadLetter["message"]!.GetValue<string>());
        await Eventually.TrueAsync(async () => await fixture.Storage.ApproximateCountAsync(fixture.Storage.Poison) == 0, "the poison queue to be emptied");
    }

    [Fact]
    public async Task A_newer_envelope_on_the_poison_queue_is_dead_lettered_exactly_as_it_came_for_a_newer_build_to_replay()
    {
        var text = $$"""{"version":9,"id":"poisoned-newer","shape":"Unknown","payment":"{{_callback.PaymentPath}}","extra":[1,2]}""";
        await fixture.Storage.Poison.CreateIfNotExistsAsync();
        var sent = await fixture.Storage.Poison.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)));
        var id = $"message-{sent.Value.MessageId}";

        var deadLetter = await Eventually.GetAsync(() => GetDeadLetterAsync(id), $"dead letter {id}");
        Assert.Equal("Poison", deadLetter["origin"]!.GetValue<string>());
        Assert.Equal(text, deadLetter["message"]!.GetValue<string>());
        Assert.Contains("version 9, newer than this build reads (1 to 2)", deadLetter["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        var replay = await SendAsync(HttpMethod.Post, $"{Route}/{id}/replay");
        AssertProblem(replay, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("written by a newer build", replay.Json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a%2Fb")]
    [InlineData("bad'id")]
    [InlineData("bad%20id")]
    [InlineData("a.b")]
    public async Task An_id_that_is_no_dead_letter_id_is_a_bad_request(string id)
    {
        AssertProblem(await SendAsync(HttpMethod.Get, $"{Route}/{id}"), HttpStatusCode.BadRequest);
        AssertProblem(await SendAsync(HttpMethod.Delete, $"{Route}/{id}"), HttpStatusCode.BadRequest);
        AssertProblem(await SendAsync(HttpMethod.Post, $"{Route}/{id}/replay"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_id_longer_than_any_dead_letter_id_is_a_bad_request()
    {
        AssertProblem(await SendAsync(HttpMethod.Get, $"{Route}/{new string('a', 129)}"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_unknown_id_is_not_found()
    {
        var id = Guid.NewGuid().ToString("N");

        AssertProblem(await SendAsync(HttpMethod.Get, $"{Route}/{id}"), HttpStatusCode.NotFound);
        AssertProblem(await SendAsync(HttpMethod.Delete, $"{Route}/{id}"), HttpStatusCode.NotFound);
        AssertProblem(await SendAsync(HttpMethod.Post, $"{Route}/{id}/replay"), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    [InlineData(-1)]
    public async Task A_page_size_outside_1_to_100_is_a_bad_request(int top)
    {
        AssertProblem(await SendAsync(HttpMethod.Get, $"{Route}?top={top}"), HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("!!")]
    [InlineData("not a token at all")]
    public async Task A_continuation_that_is_no_token_is_a_bad_request_not_an_empty_page(string continuation)
    {
        AssertProblem(await SendAsync(HttpMethod.Get, $"{Route}?continuation={Uri.EscapeDataString(continuation)}"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_list_pages_with_a_continuation_token()
    {
        var ids = new[] { await DeadLetteredCallbackAsync(new ExampleCallback()), await DeadLetteredCallbackAsync(new ExampleCallback()) };

        var first = await ListPageAsync(1, null);
        Assert.Single(first["items"]!.AsArray());
        Assert.NotNull(first["continuation"]);

        // Page by page through the whole table: one item at most each, none twice, both of ours among them.
        var seen = new List<string>();
        var pages = 0;
        JsonObject? page = first;
        while (page is not null)
        {
            pages++;
            var items = page["items"]!.AsArray();
            Assert.True(items.Count <= 1, $"top=1 gave {items.Count} items.");
            seen.AddRange(items.Select(i => i!["id"]!.GetValue<string>()));
            page = page["continuation"]?.GetValue<string>() is { } continuation ? await ListPageAsync(1, continuation) : null;
        }

        Assert.True(pages >= 2, "The first page had no continuation.");
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Contains(ids[0], seen);
        Assert.Contains(ids[1], seen);
    }

    [Fact]
    public async Task A_message_on_the_poison_queue_is_listed_as_a_poison_dead_letter()
    {
        // A real envelope, as the queue trigger would have given up on it: taken from a dead letter.
        var id = await DeadLetteredCallbackAsync(_callback);
        var message = (await GetDeadLetterAsync(id))!["message"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, $"{Route}/{id}")).Status);

        await fixture.Storage.Poison.CreateIfNotExistsAsync();
        await fixture.Storage.Poison.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(message)));

        var item = await Eventually.GetAsync(async () =>
            (await ListAllAsync()).FirstOrDefault(i => i["id"]!.GetValue<string>() == id), $"callback {id} back as a dead letter");
        Assert.Equal("Poison", item["origin"]!.GetValue<string>());
        Assert.Contains("queue trigger gave up", item["reason"]!.GetValue<string>());
        Assert.Equal(_callback.PaymentPath, item["payment"]!.GetValue<string>());
        var page = await ListPageAsync(100, null);
        Assert.True(page["poisonQueueMessages"]!.GetValue<int>() >= 0);
        await Eventually.TrueAsync(async () => await fixture.Storage.ApproximateCountAsync(fixture.Storage.Poison) == 0, "the poison queue to be emptied");

        // And it is replayable like any other.
        _callback.Serve(fixture.PayEx);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"{Route}/{id}/replay")).Status);
        await fixture.Storage.WaitForRowsAsync(P, _callback.RowKeys);
    }

    /// <summary>Posts a callback whose payment PayEx does not have (its transaction it has) and waits until it is dead-lettered.</summary>
    private async Task<string> DeadLetteredCallbackAsync(ExampleCallback callback)
    {
        fixture.PayEx.State.PutResource(callback.Examples.Resource("transaction-authorization-creditcard.docs.json"));
        using var response = await fixture.PostCallbackAsync(callback.Json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        await Eventually.GetAsync(() => GetDeadLetterAsync(id), $"callback {id} to be dead-lettered");
        return id;
    }

    private async Task ClaimAsync(string id, DateTimeOffset at) =>
        await fixture.Storage.DeadLetters.UpdateEntityAsync(
            new Azure.Data.Tables.TableEntity("callback", id) { ["ReplayClaimedAt"] = at }, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Merge);

    /// <summary>GET /{id}: the dead letter, or null on 404.</summary>
    private async Task<JsonObject?> GetDeadLetterAsync(string id)
    {
        var answer = await SendAsync(HttpMethod.Get, $"{Route}/{id}");
        if (answer.Status == HttpStatusCode.NotFound)
        {
            AssertProblem(answer, HttpStatusCode.NotFound);
            return null;
        }

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Json;
    }

    private async Task<JsonObject> ListPageAsync(int top, string? continuation)
    {
        var path = continuation is null ? $"{Route}?top={top}" : $"{Route}?top={top}&continuation={Uri.EscapeDataString(continuation)}";
        var answer = await SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("application/json", answer.MediaType);
        return answer.Json;
    }

    /// <summary>Every dead letter in the table, page after page.</summary>
    private async Task<List<JsonObject>> ListAllAsync()
    {
        var items = new List<JsonObject>();
        string? continuation = null;
        do
        {
            var page = await ListPageAsync(100, continuation);
            items.AddRange(page["items"]!.AsArray().Select(i => i!.AsObject()));
            continuation = page["continuation"]?.GetValue<string>();
        }
        while (continuation is not null);

        return items;
    }

    private const string MasterKey = "(the master key)";

    private async Task<Answer> SendAsync(HttpMethod method, string path, string? key = MasterKey)
    {
        key = key == MasterKey ? fixture.App.MasterKey : key;
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        using var response = await fixture.App.Raw.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static void AssertProblem(Answer answer, HttpStatusCode status)
    {
        Assert.Equal(status, answer.Status);
        Assert.Equal("application/problem+json", answer.MediaType);
        Assert.Equal((int)status, answer.Json["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(answer.Json["title"]?.GetValue<string>()));
    }

    private sealed record Answer(HttpStatusCode Status, string? MediaType, JsonNode? Body)
    {
        public JsonObject Json => Body?.AsObject() ?? throw new InvalidOperationException($"The {(int)Status} answer has no body.");
    }
}
