using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// The callback most end-to-end tests send: PayEx's documented card payment and its authorization
/// (a nested v1 callback), with fresh ids for each test.
/// </summary>
public sealed class ExampleCallback
{
    public Examples Examples { get; } = new();

    public Guid Payment => Examples.Id(Examples.DocsPaymentId);

    public Guid Transaction => Examples.Id(Examples.DocsTransactionId);

    public string PaymentPath => $"/psp/creditcard/payments/{Payment}";

    /// <summary>The rows the callback leaves: the payment, the transaction, the payment's status and its first event.</summary>
    public string[] RowKeys => [$"payment-{Payment}", $"transaction-{Transaction}", "status", "event-0000000000000000001"];

    public string Json => Examples.Callback("callback-v1-nested-instrument.json");

    /// <summary>Makes the stand-in serve the payment and the transaction.</summary>
    public void Serve(StandIn payEx)
    {
        payEx.State.PutResource(Examples.Resource("payment-creditcard-callback-examples.json"));
        payEx.State.PutResource(Examples.Resource("transaction-authorization-creditcard.docs.json"));
    }

    /// <summary>The GETs of the payment itself (not of its transactions), oldest first.</summary>
    public List<DateTimeOffset> PaymentGets(StandIn payEx) =>
        payEx.State.Requests.Where(r => r.PathAndQuery.Split('?')[0] == PaymentPath).Select(r => r.At).Order().ToList();

    /// <summary>Posts the callback, expects 200, and returns the id it was acknowledged with.</summary>
    public async Task<string> AcknowledgeAsync(HostProcess app)
    {
        using var content = new StringContent(Json, Encoding.UTF8, "application/json");
        using var response = await app.Http.PostAsync("/api/payex/callbacks", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }
}
