using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Access;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Access;

/// <summary>
/// Per-order callback URLs end to end: the app checks the URL's signature when the callback
/// arrives, and checks that what PayEx returns belongs to that order before it stores anything.
/// </summary>
public class SignedCallbackTests(SignedCallbackTests.App fixture) : IClassFixture<SignedCallbackTests.App>
{
    public const string Secret = "current-signing-secret-0123456789abcdef";
    public const string PreviousSecret = "previous-signing-secret-0123456789abcdef";

    public sealed class App() : RunningApp(new()
    {
        ["Access__SigningSecret"] = Secret,
        ["Access__PreviousSigningSecret"] = PreviousSecret,
    });

    private static readonly Uri Endpoint = new("http://app.example/api/payex/callbacks");

    private static string PathAndQueryFor(string order, string secret = Secret) =>
        CallbackUrl.For(Endpoint, order, secret).PathAndQuery;

    /// <summary>Serves the example payment with its payeeInfo expanded, as PayEx answers $expand=payeeinfo.</summary>
    private void Serve(ExampleCallback callback, string payeeReference, string orderReference)
    {
        callback.Serve(fixture.PayEx);
        var payment = Examples.Json(callback.Examples.Resource("payment-creditcard-callback-examples.json"));
        payment["payment"]!["payeeInfo"] = new JsonObject
        {
            ["id"] = $"{callback.PaymentPath}/payeeinfo",
            ["payeeId"] = "5cabf558-5283-482f-b252-4d58e06f6f3b",
            ["payeeReference"] = payeeReference,
            ["payeeName"] = "Merchant",
            ["orderReference"] = orderReference,
        };
        fixture.PayEx.State.PutResource(payment.ToJsonString());
    }

    private async Task<HttpResponseMessage> PostAsync(ExampleCallback callback, string pathAndQuery)
    {
        using var content = new StringContent(callback.Json, Encoding.UTF8, "application/json");
        return await fixture.App.Http.PostAsync(pathAndQuery, content);
    }

    [Theory]
    [InlineData("PAYEE-REF-1", "PAYEE-REF-1", "order 1")]
    [InlineData("ORDER 2/ä", "payee-2", "ORDER 2/ä")]
    public async Task A_callback_on_a_url_signed_for_its_order_is_stored_after_the_order_is_checked_at_PayEx(string signedFor, string payeeReference, string orderReference)
    {
        var callback = new ExampleCallback();
        Serve(callback, payeeReference, orderReference);

        using var response = await PostAsync(callback, PathAndQueryFor(signedFor));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rows = await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
        Assert.Equal(payeeReference, rows[$"payment-{callback.Payment}"].GetString("PayeeReference"));
        // The payment was read with its payeeInfo, which holds the merchant's references.
        Assert.Contains(fixture.PayEx.State.Requests, r => r.PathAndQuery == $"{callback.PaymentPath}?$expand=transactions,payeeinfo");
    }

    [Fact]
    public async Task A_url_signed_with_the_previous_secret_is_still_accepted()
    {
        var callback = new ExampleCallback();
        Serve(callback, "ROTATED-1", "ROTATED-1");

        using var response = await PostAsync(callback, PathAndQueryFor("ROTATED-1", PreviousSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
    }

    [Theory]
    [InlineData("tampered signature")]
    [InlineData("other order")]
    [InlineData("unknown secret")]
    [InlineData("unsigned")]
    [InlineData("order without signature")]
    [InlineData("signature twice")]
    public async Task A_url_whose_signature_does_not_verify_is_refused_with_403_and_nothing_is_fetched(string kind)
    {
        var callback = new ExampleCallback();
        Serve(callback, "ORDER-9", "ORDER-9");
        var signature = CallbackSignature.Sign("ORDER-9", Secret);
        var path = kind switch
        {
            "tampered signature" => $"{CallbackEndpoints}?order=ORDER-9&sig={(signature[0] == 'A' ? 'B' : 'A')}{signature[1..]}",
            "other order" => $"{CallbackEndpoints}?order=ORDER-8&sig={signature}",
            "unknown secret" => PathAndQueryFor("ORDER-9", "some-other-secret-0123456789abcdefghij"),
            "unsigned" => CallbackEndpoints,
            "order without signature" => $"{CallbackEndpoints}?order=ORDER-9",
            _ => $"{CallbackEndpoints}?order=ORDER-9&sig={signature}&sig={signature}",
        };

        using var response = await PostAsync(callback, path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(Secret, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A later, valid callback of another payment is stored; by then the refused one would have been fetched.
        var sentinel = new ExampleCallback();
        Serve(sentinel, "SENTINEL", "SENTINEL");
        using var accepted = await PostAsync(sentinel, PathAndQueryFor("SENTINEL"));
        await fixture.Storage.WaitForRowsAsync(sentinel.Payment, sentinel.RowKeys);
        Assert.Equal(0, fixture.PayEx.RequestsFor(callback.PaymentPath));
        Assert.Empty(await fixture.Storage.RowsAsync(callback.Payment));
    }

    [Fact]
    public async Task A_payment_of_another_order_is_dead_lettered_not_stored()
    {
        var callback = new ExampleCallback();
        Serve(callback, "THEIRS-1", "THEIR-ORDER");

        using var response = await PostAsync(callback, PathAndQueryFor("MINE-1"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var deadLetter = await Eventually.GetAsync(
            async () => (await fixture.Storage.DeadLettersAsync()).SingleOrDefault(d => d.GetString("Payment") == callback.PaymentPath),
            "the dead letter");
        Assert.Equal("Permanent", deadLetter.GetString("Origin"));
        Assert.Contains("'MINE-1'", deadLetter.GetString("Reason"), StringComparison.Ordinal);
        Assert.Contains("'THEIRS-1'", deadLetter.GetString("Reason"), StringComparison.Ordinal);
        Assert.Empty(await fixture.Storage.RowsAsync(callback.Payment));
    }

    [Fact]
    public async Task A_payment_that_shows_no_merchant_reference_cannot_be_checked_and_is_dead_lettered()
    {
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx); // payeeInfo not expanded: PayEx ignored $expand

        using var response = await PostAsync(callback, PathAndQueryFor("MINE-2"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var deadLetter = await Eventually.GetAsync(
            async () => (await fixture.Storage.DeadLettersAsync()).SingleOrDefault(d => d.GetString("Payment") == callback.PaymentPath),
            "the dead letter");
        Assert.Contains("no payeeReference or orderReference", deadLetter.GetString("Reason"), StringComparison.Ordinal);
        Assert.Empty(await fixture.Storage.RowsAsync(callback.Payment));
    }

    [Fact]
    public async Task A_v31_payment_order_is_checked_against_its_payee_info()
    {
        var examples = new Examples();
        var order = Examples.Json(examples.Resource("paymentorder-v3.1-captured-example.json"));
        var orderPath = order["paymentOrder"]!["id"]!.GetValue<string>();
        order["paymentOrder"]!["payeeInfo"] = new JsonObject
        {
            ["id"] = $"{orderPath}/payeeinfo",
            ["payeeReference"] = "638423890947905216",
            ["orderReference"] = "PO-638423890947905216",
        };
        fixture.PayEx.State.PutResource(order.ToJsonString());
        var body = Examples.Json(examples.Callback("callback-v3.1-paymentorder.json"));
        body["paymentOrder"]!["id"] = orderPath;

        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await fixture.App.Http.PostAsync(PathAndQueryFor("PO-638423890947905216"), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var partition = Guid.Parse(orderPath[(orderPath.LastIndexOf('/') + 1)..]);
        await fixture.Storage.WaitForRowsAsync(partition, "paymentorder");
        Assert.Contains(fixture.PayEx.State.Requests, r => r.PathAndQuery.StartsWith(orderPath, StringComparison.Ordinal) && r.PathAndQuery.Contains(",payeeinfo", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("listed among the order's payments", true)]
    [InlineData("carrying the order in its payeeInfo", true)]
    [InlineData("of another order, not listed", false)]
    public async Task A_v2_callback_stores_its_payment_only_if_it_is_the_signed_orders(string payment, bool stored)
    {
        var examples = new Examples();
        var order = Examples.Json(examples.Resource("paymentorder-v2-orderreference-example.json"));
        var orderPath = order["paymentOrder"]!["id"]!.GetValue<string>();
        var paymentPath = $"/psp/swish/payments/{examples.Id(Examples.DocsPaymentId)}";
        order["paymentOrder"]!["payeeInfo"] = new JsonObject { ["id"] = $"{orderPath}/payeeinfo", ["payeeReference"] = "V2-ORDER" };
        order["paymentOrder"]!["payments"] = new JsonObject
        {
            ["id"] = $"{orderPath}/payments",
            ["paymentList"] = payment.StartsWith("listed", StringComparison.Ordinal)
                ? new JsonArray(new JsonObject { ["id"] = paymentPath, ["instrument"] = "Swish" })
                : new JsonArray(),
        };
        var swish = Examples.Json(examples.Resource("payment-swish.docs.json"));
        swish["payment"]!["payeeInfo"] = new JsonObject { ["payeeReference"] = payment.StartsWith("carrying", StringComparison.Ordinal) ? "V2-ORDER" : "SOMEONE-ELSES" };
        fixture.PayEx.State.PutResource(order.ToJsonString());
        fixture.PayEx.State.PutResource(swish.ToJsonString());
        fixture.PayEx.State.PutResource(examples.Resource("transaction-sale-swish.json"));

        using var content = new StringContent(examples.Callback("callback-v2-paymentorder-with-orderreference.json"), Encoding.UTF8, "application/json");
        using var response = await fixture.App.Http.PostAsync(PathAndQueryFor("V2-ORDER"), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var partition = Guid.Parse(orderPath[(orderPath.LastIndexOf('/') + 1)..]);
        if (stored)
        {
            await fixture.Storage.WaitForRowsAsync(partition, "paymentorder", $"payment-{examples.Id(Examples.DocsPaymentId)}", $"transaction-{examples.Id(Examples.DocsTransactionId)}");
        }
        else
        {
            var deadLetter = await Eventually.GetAsync(
                async () => (await fixture.Storage.DeadLettersAsync()).SingleOrDefault(d => d.GetString("PaymentOrder") == orderPath),
                "the dead letter");
            Assert.Contains("neither listed among the payments", deadLetter.GetString("Reason"), StringComparison.Ordinal);
            Assert.Empty(await fixture.Storage.RowsAsync(partition));
        }

        Assert.Contains(fixture.PayEx.State.Requests, r => r.PathAndQuery == $"{orderPath}?$expand=payeeinfo,payments");
        Assert.Contains(fixture.PayEx.State.Requests, r => r.PathAndQuery == $"{paymentPath}?$expand=transactions,payeeinfo");
    }

    private const string CallbackEndpoints = "/api/payex/callbacks";
}
