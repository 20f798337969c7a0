using System.Net;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Pipeline;

/// <summary>
/// Duplicates, reordering and races, end to end: the table ends with the newest state PayEx
/// gave, once, however the callbacks arrive.
/// </summary>
public class OrderingTests(RunningApp fixture) : IClassFixture<RunningApp>
{
    private readonly Examples _examples = new();

    private Guid P => _examples.Id(Examples.DocsPaymentId);

    private Guid T => _examples.Id(Examples.DocsTransactionId);

    private string PaymentPath => $"/psp/creditcard/payments/{P}";

    private static readonly DateTimeOffset Updated = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The example payment as PayEx would show it at version <paramref name="version"/>.</summary>
    private string PaymentVersion(int version, string state)
    {
        var json = Examples.Json(_examples.Resource("payment-creditcard-callback-examples.json"));
        json["payment"]!["updated"] = Updated.AddSeconds(version).ToString("O");
        json["payment"]!["state"] = state;
        return json.ToJsonString();
    }

    /// <summary>A transaction of the example payment: the example authorization, or a capture made from it.</summary>
    private string Transaction(string kind, Guid id, int version, string state)
    {
        var json = Examples.Json(_examples.Resource("transaction-authorization-creditcard.docs.json"));
        var body = json["authorization"]!.AsObject();
        json.Remove("authorization");
        body["id"] = $"{PaymentPath}/{kind}s/{id}";
        body["transaction"]!["id"] = $"{PaymentPath}/transactions/{id}";
        body["transaction"]!["type"] = kind == "authorization" ? "Authorization" : "Capture";
        body["transaction"]!["state"] = state;
        body["transaction"]!["updated"] = Updated.AddSeconds(version).ToString("O");
        json[kind] = body;
        return json.ToJsonString();
    }

    private string Callback(string kind, Guid transaction) => new JsonObject
    {
        ["payment"] = new JsonObject { ["id"] = PaymentPath, ["number"] = 222222222 },
        ["transaction"] = new JsonObject { ["id"] = $"{PaymentPath}/{kind}s/{transaction}", ["number"] = 333333333 },
    }.ToJsonString();

    private int PaymentGets => fixture.PayEx.State.Requests.Count(r => r.PathAndQuery.Split('?')[0] == PaymentPath);

    private async Task PostAsync(string callback)
    {
        using var response = await fixture.PostCallbackAsync(callback);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<Dictionary<string, string>> StoredJsonAsync() =>
        (await fixture.Storage.RowsAsync(P)).Where(r => r.RowKey != StatusRow.RowKey && !r.RowKey.StartsWith(PayExCallbackFunctions.Events.EventRow.Prefix, StringComparison.Ordinal)).ToDictionary(r => r.RowKey, PaymentRow.ReadJson);

    [Fact]
    public async Task The_same_callback_delivered_many_times_at_once_leaves_one_set_of_rows_as_PayEx_has_them()
    {
        var payment = PaymentVersion(1, "Ready");
        var authorization = Transaction("authorization", T, 1, "Completed");
        fixture.PayEx.State.PutResource(payment);
        fixture.PayEx.State.PutResource(authorization);

        var callback = Callback("authorization", T);
        await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => PostAsync(callback)));
        await Eventually.TrueAsync(() => Task.FromResult(PaymentGets == 12), "all twelve to be fetched");
        await Eventually.TrueAsync(async () => await fixture.Storage.ApproximateCountAsync(fixture.Storage.Queue) == 0, "the queue to empty");

        var stored = await StoredJsonAsync();
        Assert.Equal([$"payment-{P}", $"transaction-{T}"], stored.Keys.Order());
        Assert.Equal(payment, stored[$"payment-{P}"]);
        Assert.Equal(authorization, stored[$"transaction-{T}"]);
        // Twelve answers of one state are one version of the payment's status.
        var status = StatusRow.From((await fixture.Storage.RowsAsync(P)).Single(r => r.RowKey == StatusRow.RowKey));
        Assert.Equal((PaymentStatus.Authorized, 1L), (status.Snapshot.Status, status.Version));
    }

    [Fact]
    public async Task A_slow_fetch_of_an_older_state_does_not_overwrite_the_newer_state_stored_meanwhile()
    {
        fixture.PayEx.State.PutResource(PaymentVersion(1, "Ready"));
        fixture.PayEx.State.PutResource(Transaction("authorization", T, 1, "Completed"));
        // The first GET of the payment reads version 1 and takes its time to answer.
        fixture.PayEx.State.AddFault(new Fault { Path = PaymentPath, Status = 200, DelayMilliseconds = 3000, Remaining = 1 });

        await PostAsync(Callback("authorization", T));
        await Eventually.TrueAsync(() => Task.FromResult(PaymentGets == 1), "the slow fetch to start");

        var capture = Guid.NewGuid();
        var newest = PaymentVersion(2, "Ready");
        fixture.PayEx.State.PutResource(newest);
        fixture.PayEx.State.PutResource(Transaction("capture", capture, 2, "Completed"));
        await PostAsync(Callback("capture", capture));
        await fixture.Storage.WaitForRowsAsync(P, $"payment-{P}", $"transaction-{capture}");
        Assert.Equal(newest, (await StoredJsonAsync())[$"payment-{P}"]);

        // The slow answer arrives, and stores its transaction only.
        await fixture.Storage.WaitForRowsAsync(P, $"transaction-{T}");
        await Eventually.TrueAsync(async () => await fixture.Storage.ApproximateCountAsync(fixture.Storage.Queue) == 0, "both callbacks to finish");
        Assert.Equal(newest, (await StoredJsonAsync())[$"payment-{P}"]);
    }

    [Fact]
    public async Task Authorization_and_capture_callbacks_racing_while_PayEx_changes_leave_the_newest_state()
    {
        var capture = Guid.NewGuid();
        fixture.PayEx.State.PutResource(PaymentVersion(1, "Ready"));
        fixture.PayEx.State.PutResource(Transaction("authorization", T, 1, "Initialized"));
        fixture.PayEx.State.Latency = TimeSpan.FromMilliseconds(50);
        try
        {
            // Each round PayEx moves on, and both callbacks are delivered twice, in either order.
            var deliveries = new List<Task>();
            for (var version = 2; version <= 6; version++)
            {
                fixture.PayEx.State.PutResource(PaymentVersion(version, version < 6 ? "Ready" : "Completed"));
                fixture.PayEx.State.PutResource(Transaction("authorization", T, version, version < 4 ? "Initialized" : "Completed"));
                fixture.PayEx.State.PutResource(Transaction("capture", capture, version, version < 6 ? "Initialized" : "Completed"));
                var round = new[] { Callback("authorization", T), Callback("capture", capture) }.SelectMany(c => new[] { c, c }).OrderBy(_ => Random.Shared.Next());
                deliveries.AddRange(round.Select(PostAsync));
            }

            await Task.WhenAll(deliveries);
            await Eventually.TrueAsync(async () => await fixture.Storage.ApproximateCountAsync(fixture.Storage.Queue) == 0, "all deliveries to be processed");
            await Eventually.TrueAsync(() => Task.FromResult(PaymentGets == 20), "all deliveries to be fetched");
        }
        finally
        {
            fixture.PayEx.State.Latency = TimeSpan.Zero;
        }

        var stored = await Eventually.GetAsync(async () =>
        {
            var rows = await StoredJsonAsync();
            return rows.Count == 3 && rows.Values.All(json => json.Contains("\"Completed\"", StringComparison.Ordinal)) ? rows : null;
        }, "the final state of all three resources");
        Assert.Equal(fixture.PayEx.State.Get(PaymentPath), stored[$"payment-{P}"]);
        Assert.Equal(fixture.PayEx.State.Get($"{PaymentPath}/transactions/{T}"), stored[$"transaction-{T}"]);
        Assert.Equal(fixture.PayEx.State.Get($"{PaymentPath}/transactions/{capture}"), stored[$"transaction-{capture}"]);
    }
}
