using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Hosting;

/// <summary>
/// The app as the Functions host drives it: the HTTP request proxied to the handler, and the queue
/// trigger invoked as POST /ProcessPayExCallback with the host's Data/Metadata payload.
/// </summary>
public class CustomHandlerTests(CustomHandlerApp fixture) : IClassFixture<CustomHandlerApp>
{
    private readonly Examples _examples = new();

    private Guid P => _examples.Id(Examples.DocsPaymentId);

    private Guid T => _examples.Id(Examples.DocsTransactionId);

    /// <summary>Posts the callback as the host proxies it, and takes the message off the queue as the host's trigger does.</summary>
    private async Task<string> AcknowledgeAndDequeueAsync()
    {
        fixture.PayEx.State.PutResource(_examples.Resource("payment-creditcard-callback-examples.json"));
        fixture.PayEx.State.PutResource(_examples.Resource("transaction-authorization-creditcard.docs.json"));
        using var response = await fixture.PostCallbackAsync(_examples.Callback("callback-v1-nested-instrument.json"));
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
        Assert.Contains(body["Logs"]!.AsArray(), l => l!.GetValue<string>().Contains($"transaction-{T}"));
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
    public async Task A_failed_lookup_fails_the_invocation_so_the_host_retries_it()
    {
        var message = await AcknowledgeAndDequeueAsync();
        Assert.True(fixture.PayEx.State.Remove($"/psp/creditcard/payments/{P}"));
        var (status, body) = await InvokeAsync(Invocation(JsonNode.Parse(message)!, dequeueCount: 2));

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains(body["Logs"]!.AsArray(), l => l!.GetValue<string>().Contains("404"));
        Assert.Empty(await fixture.Storage.RowsAsync(P));
    }

    [Fact]
    public async Task A_message_that_is_not_an_envelope_fails_the_invocation()
    {
        var (status, body) = await InvokeAsync(Invocation(JsonValue.Create("not an envelope")));
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.NotEmpty(body["Logs"]!.AsArray());
    }

    [Fact]
    public async Task Under_the_Functions_host_the_app_runs_no_queue_listener_of_its_own()
    {
        // The host owns the trigger: an acknowledged message stays on the queue for it.
        using var response = await fixture.PostCallbackAsync(_examples.Callback("callback-v1-nested-instrument.json"));
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
