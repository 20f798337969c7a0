using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Hosting;

/// <summary>
/// The app as the Functions host drives it: the HTTP request proxied to the handler, and the queue
/// trigger invoked as POST /ProcessPayExCallback with the host's Data/Metadata payload.
/// </summary>
public class CustomHandlerTests(CustomHandlerApp fixture) : IClassFixture<CustomHandlerApp>
{
    private readonly ExampleCallback _callback = new();

    private Guid P => _callback.Payment;

    private Guid T => _callback.Transaction;

    /// <summary>Posts the callback as the host proxies it, and takes the message off the queue as the host's trigger does.</summary>
    private async Task<string> AcknowledgeAndDequeueAsync()
    {
        _callback.Serve(fixture.PayEx);
        using var response = await fixture.PostCallbackAsync(_callback.Json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        return await Eventually.GetAsync(async () =>
        {
            foreach (var message in (await fixture.Storage.Queue.ReceiveMessagesAsync(32)).Value)
            {
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(message.Body.ToString()));
                if (JsonNode.Parse(text)!["id"]!.GetValue<string>() == id)
                {
                    await fixture.Storage.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                    return text;
                }
            }

            return null;
        }, "the acknowledged message on the queue");
    }

    private static JsonObject Invocation(JsonNode message, int dequeueCount = 1) => new()
    {
        ["Data"] = new JsonObject { ["message"] = message },
        ["Metadata"] = new JsonObject
        {
            ["DequeueCount"] = dequeueCount,
            ["Id"] = Guid.NewGuid().ToString(),
            ["InsertionTime"] = DateTimeOffset.UtcNow.ToString("O"),
            ["sys"] = new JsonObject { ["MethodName"] = "ProcessPayExCallback", ["UtcNow"] = DateTimeOffset.UtcNow.ToString("O") },
        },
    };

    private async Task<(HttpStatusCode Status, JsonObject Body)> InvokeAsync(JsonObject invocation)
    {
        using var response = await fixture.PostAsync("/ProcessPayExCallback", Encoding.UTF8.GetBytes(invocation.ToJsonString()), "application/json");
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Fact]
    public async Task A_queue_invocation_with_the_message_as_an_object_stores_the_rows()
    {
        var message = await AcknowledgeAndDequeueAsync();
        var (status, body) = await InvokeAsync(Invocation(JsonNode.Parse(message)!));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(body["Outputs"]);
        Assert.Contains(body["Logs"]!.AsArray(), l => l!.GetValue<string>().Contains("Processed"));
        var rows = await fixture.Storage.RowsAsync(P);
        Assert.Equal(["payment-" + P, "transaction-" + T], rows.Select(r => r.RowKey).Order());
    }

    [Fact]
    public async Task A_queue_invocation_with_the_message_as_a_string_stores_the_rows()
    {
        var message = await AcknowledgeAndDequeueAsync();
        var (status, _) = await InvokeAsync(Invocation(JsonValue.Create(message)));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, (await fixture.Storage.RowsAsync(P)).Count);
    }

    [Fact]
    public async Task A_queue_invocation_with_the_message_json_encoded_twice_stores_the_rows()
    {
        var message = await AcknowledgeAndDequeueAsync();
        var (status, _) = await InvokeAsync(Invocation(JsonValue.Create(JsonValue.Create(message).ToJsonString())));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, (await fixture.Storage.RowsAsync(P)).Count);
    }

    [Fact]
    public async Task A_transient_failure_puts_the_callback_back_on_the_queue_with_its_retry_state_and_completes_the_invocation()
    {
        var message = await AcknowledgeAndDequeueAsync();
        var id = JsonNode.Parse(message)!["id"]!.GetValue<string>();
        fixture.PayEx.State.AddFault(new Fault { Path = $"/psp/creditcard/payments/{P}", Status = 503, Remaining = 3 });
        var (status, body) = await InvokeAsync(Invocation(JsonNode.Parse(message)!));

        // 200: the host deletes its message, as the retry is already on the queue.
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(body["Logs"]!.AsArray(), l => l!.GetValue<string>().Contains("Retried"));
        var retried = JsonNode.Parse(await Eventually.GetAsync(async () =>
            (await TestStorage.PeekAsync(fixture.Storage.Queue)).FirstOrDefault(m => m.Contains(id, StringComparison.Ordinal)), "the retry on the queue"))!;
        Assert.Equal(1, retried["retry"]!["attempts"]!.GetValue<int>());
        Assert.Contains("503", retried["retry"]!["errors"]![0]!["error"]!.GetValue<string>());
        Assert.Empty(await fixture.Storage.RowsAsync(P));
        await ClearQueueAsync();
    }

    [Fact]
    public async Task A_lookup_PayEx_answers_404_to_is_dead_lettered_and_completes_the_invocation()
    {
        var message = await AcknowledgeAndDequeueAsync();
        var id = JsonNode.Parse(message)!["id"]!.GetValue<string>();
        fixture.PayEx.State.AddFault(new Fault { Path = $"/psp/creditcard/payments/{P}", Status = 404, Remaining = 1 });
        var (status, body) = await InvokeAsync(Invocation(JsonNode.Parse(message)!, dequeueCount: 2));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(body["Logs"]!.AsArray(), l => l!.GetValue<string>().Contains("DeadLettered"));
        var deadLetter = Assert.Single(await fixture.Storage.DeadLettersAsync(), d => d.RowKey == id);
        Assert.Equal("Permanent", deadLetter.GetString("Origin"));
        Assert.Contains("404", deadLetter.GetString("Reason"));
        Assert.Empty(await fixture.Storage.RowsAsync(P));
    }

    [Fact]
    public async Task A_message_that_is_not_an_envelope_is_dead_lettered_as_it_came()
    {
        var invocation = Invocation(JsonValue.Create("not an envelope"));
        var messageId = invocation["Metadata"]!["Id"]!.GetValue<string>();
        var (status, _) = await InvokeAsync(invocation);

        Assert.Equal(HttpStatusCode.OK, status);
        var deadLetter = Assert.Single(await fixture.Storage.DeadLettersAsync(), d => d.RowKey == $"message-{messageId}");
        Assert.Equal("not an envelope", deadLetter.GetString("Message"));
    }

    [Fact]
    public async Task A_poison_queue_invocation_turns_the_message_into_a_dead_letter()
    {
        var message = await AcknowledgeAndDequeueAsync();
        var id = JsonNode.Parse(message)!["id"]!.GetValue<string>();
        using var response = await fixture.PostAsync("/DeadLetterPoisonCallback", Encoding.UTF8.GetBytes(Invocation(JsonNode.Parse(message)!, dequeueCount: 1).ToJsonString()), "application/json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var deadLetter = Assert.Single(await fixture.Storage.DeadLettersAsync(), d => d.RowKey == id);
        Assert.Equal("Poison", deadLetter.GetString("Origin"));
        Assert.Equal($"/psp/creditcard/payments/{P}", deadLetter.GetString("Payment"));
        Assert.Empty(PayExRequestsFor(P));
    }

    private IEnumerable<RecordedRequest> PayExRequestsFor(Guid payment) =>
        fixture.PayEx.State.Requests.Where(r => r.PathAndQuery.Contains(payment.ToString(), StringComparison.OrdinalIgnoreCase));

    private async Task ClearQueueAsync() => await fixture.Storage.Queue.ClearMessagesAsync();

    [Fact]
    public async Task Under_the_Functions_host_the_app_runs_no_queue_listener_of_its_own()
    {
        // The host owns the trigger: an acknowledged message stays on the queue for it.
        using var response = await fixture.PostCallbackAsync(_callback.Json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Running as a Functions custom handler", fixture.App.Output);

        // Proving an absence takes a wait: five times the polling interval a listener would use.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var peeked = await fixture.Storage.Queue.PeekMessagesAsync(32);
        Assert.NotEmpty(peeked.Value);
        Assert.All(peeked.Value, m => Assert.Equal(0, m.DequeueCount));
        Assert.DoesNotContain("listening to queue", fixture.App.Output);
    }
}
