using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.PayEx;

/// <summary>
/// The stand-in moves a payment through its life as PayEx would, per API generation: each step
/// changes the documents it serves and answers the callback PayEx would send.
/// </summary>
public class PaymentLifeTests : IAsyncLifetime
{
    private StandIn _payEx = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _payEx = await StandIn.StartAsync();
        _http = new HttpClient { BaseAddress = _payEx.BaseUrl };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _payEx.DisposeAsync();
    }

    [Fact]
    public async Task A_v1_payment_is_authorized_captured_in_two_parts_and_partly_reversed()
    {
        var payment = await _payEx.CreatePaymentAsync("v1", amount: 1500, payeeReference: "549213");
        Assert.Null(payment.PaymentOrder);
        Assert.Equal($"/psp/creditcard/payments/{payment.Id:D}", payment.Payment);
        var updated = new List<DateTimeOffset>();

        var created = await PaymentAsync(payment.Payment!);
        Assert.Equal("Ready", created["state"]!.GetValue<string>());
        Assert.Equal("CreditCard", created["instrument"]!.GetValue<string>());
        Assert.Equal("549213", created["payeeReference"]!.GetValue<string>());
        AssertRemaining(created, capture: null, cancellation: null, reversal: null);
        updated.Add(Updated(created));

        var authorized = await _payEx.StepAsync(payment.Id, "authorize");
        var callback = authorized.CallbackJson;
        Assert.Equal(["payment", "transaction"], callback.Select(p => p.Key));
        Assert.Equal(payment.Payment, callback["payment"]!["id"]!.GetValue<string>());
        Assert.Equal(created["number"]!.GetValue<long>(), callback["payment"]!["number"]!.GetValue<long>());
        Assert.StartsWith($"{payment.Payment}/authorizations/", authorized.Transaction);
        Assert.Equal(authorized.Transaction, callback["transaction"]!["id"]!.GetValue<string>());
        var document = await PaymentAsync(payment.Payment!);
        Assert.Equal("Ready", document["state"]!.GetValue<string>());
        AssertRemaining(document, capture: 1500, cancellation: 1500, reversal: null);
        updated.Add(Updated(document));

        // The typed path and the generic one serve the same transaction, each in its own shape.
        var typed = await _payEx.GetDocumentAsync(authorized.Transaction!);
        Assert.Equal(payment.Payment, typed["payment"]!.GetValue<string>());
        Assert.Equal(authorized.Transaction, typed["authorization"]!["id"]!.GetValue<string>());
        var transaction = typed["authorization"]!["transaction"]!;
        Assert.Equal(("Authorization", "Completed", 1500L), (transaction["type"]!.GetValue<string>(), transaction["state"]!.GetValue<string>(), transaction["amount"]!.GetValue<long>()));
        Assert.Equal(callback["transaction"]!["number"]!.GetValue<long>(), transaction["number"]!.GetValue<long>());
        Assert.Equal("549213", transaction["payeeReference"]!.GetValue<string>());
        var generic = await _payEx.GetDocumentAsync(transaction["id"]!.GetValue<string>());
        Assert.Equal(transaction.ToJsonString(), generic["transaction"]!.ToJsonString());

        var firstCapture = await _payEx.StepAsync(payment.Id, "capture", 500);
        Assert.StartsWith($"{payment.Payment}/captures/", firstCapture.Transaction);
        document = await PaymentAsync(payment.Payment!);
        AssertRemaining(document, capture: 1000, cancellation: 1000, reversal: 500);
        updated.Add(Updated(document));

        await _payEx.StepAsync(payment.Id, "capture");
        document = await PaymentAsync(payment.Payment!);
        AssertRemaining(document, capture: null, cancellation: null, reversal: 1500);
        updated.Add(Updated(document));

        var reversal = await _payEx.StepAsync(payment.Id, "reverse", 300);
        document = await PaymentAsync(payment.Payment!);
        Assert.Equal("Ready", document["state"]!.GetValue<string>());
        AssertRemaining(document, capture: null, cancellation: null, reversal: 1200);
        updated.Add(Updated(document));

        var list = await _payEx.GetDocumentAsync($"{payment.Payment}?$expand=transactions,payeeinfo");
        var transactions = list["payment"]!["transactions"]!["transactionList"]!.AsArray();
        Assert.Equal(
            [("Authorization", 1500L), ("Capture", 500L), ("Capture", 1000L), ("Reversal", 300L)],
            transactions.Select(t => (t!["type"]!.GetValue<string>(), t["amount"]!.GetValue<long>())));
        Assert.All(transactions, t => Assert.Equal("Completed", t!["state"]!.GetValue<string>()));
        Assert.Equal(4, transactions.Select(t => t!["number"]!.GetValue<long>()).Distinct().Count());
        Assert.Equal(reversal.CallbackJson["transaction"]!["number"]!.GetValue<long>(), transactions[3]!["number"]!.GetValue<long>());
        Assert.Equal("549213", list["payment"]!["payeeInfo"]!["payeeReference"]!.GetValue<string>());

        var listed = await _payEx.GetDocumentAsync($"{payment.Payment}/transactions");
        Assert.Equal(payment.Payment, listed["payment"]!.GetValue<string>());
        Assert.Equal(transactions.ToJsonString(), listed["transactions"]!["transactionList"]!.ToJsonString());
        AssertStrictlyIncreasing(updated);
    }

    [Fact]
    public async Task A_v3_1_payment_order_is_paid_captured_in_two_parts_and_partly_reversed()
    {
        var order = await _payEx.CreatePaymentAsync("v3.1", amount: 1500, orderReference: "549213");
        Assert.Equal($"/psp/paymentorders/{order.Id:D}", order.PaymentOrder);
        Assert.Null(order.Payment);
        var updated = new List<DateTimeOffset>();

        var created = await OrderAsync(order.PaymentOrder!);
        Assert.Equal("Initialized", created["status"]!.GetValue<string>());
        Assert.Null(created["remainingCaptureAmount"]);
        Assert.Equal(["update-order", "abort", "redirect-checkout", "view-checkout"], Rels(created.Parent!));
        updated.Add(Updated(created));

        var paid = await _payEx.StepAsync(order.Id, "authorize");
        var callback = paid.CallbackJson;
        Assert.Equal(["orderReference", "paymentOrder"], callback.Select(p => p.Key));
        Assert.Equal("549213", callback["orderReference"]!.GetValue<string>());
        Assert.Equal(order.PaymentOrder, callback["paymentOrder"]!["id"]!.GetValue<string>());
        Assert.Equal("CreditCard", callback["paymentOrder"]!["instrument"]!.GetValue<string>());
        var document = await OrderAsync(order.PaymentOrder!);
        Assert.Equal("Paid", document["status"]!.GetValue<string>());
        AssertRemaining(document, capture: 1500, cancellation: 1500, reversal: 0);
        Assert.Equal(("Authorization", 1500L), (document["paid"]!["transactionType"]!.GetValue<string>(), document["paid"]!["amount"]!.GetValue<long>()));
        Assert.Equal(callback["paymentOrder"]!["number"]!.GetValue<long>(), document["paid"]!["number"]!.GetValue<long>());
        Assert.Equal(["cancel", "capture"], Rels(document.Parent!));
        updated.Add(Updated(document));

        var firstCapture = await _payEx.StepAsync(order.Id, "capture", 500);
        Assert.StartsWith($"{order.PaymentOrder}/financialtransactions/", firstCapture.Transaction);
        document = await OrderAsync(order.PaymentOrder!);
        Assert.Equal("Paid", document["status"]!.GetValue<string>());
        AssertRemaining(document, capture: 1000, cancellation: 1000, reversal: 500);
        AssertNumberIsFinancial(document, firstCapture, "Capture", 500);
        Assert.Equal(["cancel", "capture", "reversal"], Rels(document.Parent!));
        updated.Add(Updated(document));

        var secondCapture = await _payEx.StepAsync(order.Id, "capture");
        document = await OrderAsync(order.PaymentOrder!);
        Assert.Equal("Paid", document["status"]!.GetValue<string>());
        AssertRemaining(document, capture: 0, cancellation: 0, reversal: 1500);
        AssertNumberIsFinancial(document, secondCapture, "Capture", 1000);
        Assert.Equal(["reversal"], Rels(document.Parent!));
        updated.Add(Updated(document));

        var reversal = await _payEx.StepAsync(order.Id, "reverse", 300);
        document = await OrderAsync(order.PaymentOrder!);
        Assert.Equal("Paid", document["status"]!.GetValue<string>());
        AssertRemaining(document, capture: 0, cancellation: 0, reversal: 1200);
        AssertNumberIsFinancial(document, reversal, "Reversal", 300);
        Assert.Equal(["id"], document["reversed"]!.AsObject().Select(p => p.Key));
        Assert.Equal(3, document["financialTransactions"]!["financialTransactionsList"]!.AsArray().Count);
        updated.Add(Updated(document));

        // The rest reversed: the whole captured amount is, and the order says Reversed.
        var rest = await _payEx.StepAsync(order.Id, "reverse");
        document = await OrderAsync(order.PaymentOrder!);
        Assert.Equal("Reversed", document["status"]!.GetValue<string>());
        Assert.Equal((1500L, rest.CallbackJson["paymentOrder"]!["number"]!.GetValue<long>()), (document["reversed"]!["amount"]!.GetValue<long>(), document["reversed"]!["number"]!.GetValue<long>()));
        Assert.Empty(Rels(document.Parent!));
        updated.Add(Updated(document));
        AssertStrictlyIncreasing(updated);
    }

    [Fact]
    public async Task A_v2_payment_order_names_its_payment_and_transaction_and_keeps_a_state()
    {
        var order = await _payEx.CreatePaymentAsync("v2", amount: 1500, orderReference: "ABC123");
        Assert.Null(order.Payment);
        var created = await V2OrderAsync(order.PaymentOrder!);
        Assert.Equal("Ready", created["state"]!.GetValue<string>());
        Assert.Null(created["status"]);
        AssertRemaining(created, capture: 0, cancellation: 0, reversal: 0);
        var updated = new List<DateTimeOffset> { Updated(created) };

        var paid = await _payEx.StepAsync(order.Id, "pay");
        var callback = paid.CallbackJson;
        Assert.Equal(["orderReference", "paymentOrder", "payment", "transaction"], callback.Select(p => p.Key));
        Assert.Equal(("ABC123", order.PaymentOrder, "paymentorders"), (callback["orderReference"]!.GetValue<string>(), callback["paymentOrder"]!["id"]!.GetValue<string>(), callback["paymentOrder"]!["instrument"]!.GetValue<string>()));
        var paymentPath = callback["payment"]!["id"]!.GetValue<string>();
        Assert.StartsWith("/psp/creditcard/payments/", paymentPath);
        Assert.StartsWith($"{paymentPath}/authorizations/", callback["transaction"]!["id"]!.GetValue<string>());

        var document = await V2OrderAsync($"{order.PaymentOrder}?$expand=payments");
        Assert.Equal("Ready", document["state"]!.GetValue<string>());
        Assert.Equal("ABC123", document["orderReference"]!.GetValue<string>());
        AssertRemaining(document, capture: 1500, cancellation: 1500, reversal: 0);
        Assert.Equal(paymentPath, document["payments"]!["paymentList"]![0]!["id"]!.GetValue<string>());
        Assert.Equal($"{order.PaymentOrder}/currentpayment", document["currentPayment"]!["id"]!.GetValue<string>());
        updated.Add(Updated(document));

        await _payEx.StepAsync(order.Id, "capture", 500);
        await _payEx.StepAsync(order.Id, "capture");
        var reversal = await _payEx.StepAsync(order.Id, "reverse", 300);
        document = await V2OrderAsync(order.PaymentOrder!);
        Assert.Equal("Ready", document["state"]!.GetValue<string>());
        AssertRemaining(document, capture: 0, cancellation: 0, reversal: 1200);
        updated.Add(Updated(document));

        // Its payment is a v1 payment, with the transactions the steps made.
        var payment = await _payEx.GetDocumentAsync($"{paymentPath}?$expand=transactions");
        AssertRemaining(payment["payment"]!, capture: null, cancellation: null, reversal: 1200);
        Assert.Equal(
            ["Authorization", "Capture", "Capture", "Reversal"],
            payment["payment"]!["transactions"]!["transactionList"]!.AsArray().Select(t => t!["type"]!.GetValue<string>()));
        var typed = await _payEx.GetDocumentAsync(reversal.Transaction!);
        Assert.Equal(reversal.CallbackJson["transaction"]!["number"]!.GetValue<long>(), typed["reversal"]!["transaction"]!["number"]!.GetValue<long>());
        var current = await _payEx.GetDocumentAsync($"{order.PaymentOrder}/currentpayment");
        Assert.Equal(paymentPath, current["payment"]!["id"]!.GetValue<string>());
        AssertStrictlyIncreasing(updated);
    }

    [Fact]
    public async Task A_v3_0_payment_order_has_a_status_and_a_payment_its_callbacks_name()
    {
        var order = await _payEx.CreatePaymentAsync("v3.0");
        var paid = await _payEx.StepAsync(order.Id, "authorize");
        var callback = paid.CallbackJson;
        Assert.Equal(["paymentOrder", "payment", "transaction"], callback.Select(p => p.Key));
        var paymentPath = callback["payment"]!["id"]!.GetValue<string>();

        var capture = await _payEx.StepAsync(order.Id, "capture", 400);
        Assert.Equal(paymentPath, capture.CallbackJson["payment"]!["id"]!.GetValue<string>());
        Assert.StartsWith($"{paymentPath}/captures/", capture.Transaction);

        var document = await OrderAsync(order.PaymentOrder!);
        Assert.Equal("Paid", document["status"]!.GetValue<string>());
        AssertRemaining(document, capture: 1100, cancellation: 1100, reversal: 400);
        AssertNumberIsFinancial(document, capture.CallbackJson["transaction"]!["number"]!.GetValue<long>(), "Capture", 400);
        Assert.Equal(paid.CallbackJson["transaction"]!["number"]!.GetValue<long>(), document["paid"]!["number"]!.GetValue<long>());

        var payment = await _payEx.GetDocumentAsync(paymentPath);
        AssertRemaining(payment["payment"]!, capture: 1100, cancellation: 1100, reversal: 400);
    }

    [Fact]
    public async Task Cancelling_the_whole_authorization_cancels_a_v3_1_order_and_adds_a_v1_cancellation()
    {
        var order = await _payEx.CreatePaymentAsync("v3.1");
        await _payEx.StepAsync(order.Id, "authorize");
        var cancel = await _payEx.StepAsync(order.Id, "cancel");
        var document = await OrderAsync(order.PaymentOrder!);
        Assert.Equal("Cancelled", document["status"]!.GetValue<string>());
        AssertRemaining(document, capture: 0, cancellation: 0, reversal: 0);
        Assert.Equal(("Cancellation", 1500L), (document["cancelled"]!["transactionType"]!.GetValue<string>(), document["cancelled"]!["amount"]!.GetValue<long>()));
        Assert.Equal(cancel.CallbackJson["paymentOrder"]!["number"]!.GetValue<long>(), document["cancelled"]!["number"]!.GetValue<long>());
        Assert.Empty(Rels(document.Parent!));

        var payment = await _payEx.CreatePaymentAsync("v1");
        await _payEx.StepAsync(payment.Id, "authorize");
        var cancellation = await _payEx.StepAsync(payment.Id, "cancel");
        Assert.StartsWith($"{payment.Payment}/cancellations/", cancellation.Transaction);
        var v1 = await PaymentAsync(payment.Payment!);
        Assert.Equal("Ready", v1["state"]!.GetValue<string>());
        AssertRemaining(v1, capture: null, cancellation: null, reversal: null);
        var typed = await _payEx.GetDocumentAsync(cancellation.Transaction!);
        Assert.Equal(("Cancellation", "Completed", 1500L), (typed["cancellation"]!["transaction"]!["type"]!.GetValue<string>(), typed["cancellation"]!["transaction"]!["state"]!.GetValue<string>(), typed["cancellation"]!["transaction"]!["amount"]!.GetValue<long>()));
    }

    [Fact]
    public async Task A_partial_capture_then_cancelling_the_rest_leaves_a_v3_1_order_paid()
    {
        var order = await _payEx.CreatePaymentAsync("v3.1");
        await _payEx.StepAsync(order.Id, "authorize");
        await _payEx.StepAsync(order.Id, "capture", 600);
        await _payEx.StepAsync(order.Id, "cancel");
        var document = await OrderAsync(order.PaymentOrder!);
        Assert.Equal("Paid", document["status"]!.GetValue<string>());
        AssertRemaining(document, capture: 0, cancellation: 0, reversal: 600);
        Assert.Null(document["cancelled"]!["number"]);
    }

    [Fact]
    public async Task A_sale_is_paid_and_captured_at_once()
    {
        var order = await _payEx.CreatePaymentAsync("v3.1", intent: "Sale", instrument: "swish");
        var sale = await _payEx.StepAsync(order.Id, "pay");
        Assert.Equal("Swish", sale.CallbackJson["paymentOrder"]!["instrument"]!.GetValue<string>());
        var document = await OrderAsync(order.PaymentOrder!);
        Assert.Equal("Paid", document["status"]!.GetValue<string>());
        Assert.Equal(("Sale", "Swish"), (document["paid"]!["transactionType"]!.GetValue<string>(), document["paid"]!["instrument"]!.GetValue<string>()));
        AssertRemaining(document, capture: 0, cancellation: 0, reversal: 1500);
        AssertNumberIsFinancial(document, sale, "Sale", 1500);
        Assert.Equal(["reversal"], Rels(document.Parent!));

        var payment = await _payEx.CreatePaymentAsync("v1", intent: "Sale", instrument: "swish");
        Assert.StartsWith("/psp/swish/payments/", payment.Payment);
        var v1Sale = await _payEx.StepAsync(payment.Id, "pay");
        Assert.StartsWith($"{payment.Payment}/sales/", v1Sale.Transaction);
        var v1 = await PaymentAsync(payment.Payment!);
        Assert.Equal(("Sale", "Swish"), (v1["intent"]!.GetValue<string>(), v1["instrument"]!.GetValue<string>()));
        AssertRemaining(v1, capture: null, cancellation: null, reversal: 1500);
        var typed = await _payEx.GetDocumentAsync(v1Sale.Transaction!);
        Assert.Equal("Sale", typed["sale"]!["transaction"]!["type"]!.GetValue<string>());

        // A sale has nothing to capture or cancel, and authorize is not how it is paid.
        await AssertRefusedAsync(payment.Id, "capture");
        await AssertRefusedAsync(payment.Id, "cancel");
        var other = await _payEx.CreatePaymentAsync("v1", intent: "Sale");
        await AssertRefusedAsync(other.Id, "authorize");
    }

    [Fact]
    public async Task A_failed_or_aborted_payment_ends_there()
    {
        var order = await _payEx.CreatePaymentAsync("v3.1");
        var failed = await _payEx.StepAsync(order.Id, "fail");
        Assert.Null(failed.Transaction);
        var document = await _payEx.GetDocumentAsync($"{order.PaymentOrder}?$expand=failedattempts,failed");
        Assert.Equal("Failed", document["paymentOrder"]!["status"]!.GetValue<string>());
        var attempt = Assert.Single(document["paymentOrder"]!["failedAttempts"]!["failedAttemptList"]!.AsArray())!;
        Assert.Equal(failed.CallbackJson["paymentOrder"]!["number"]!.GetValue<long>(), attempt["number"]!.GetValue<long>());
        Assert.NotNull(document["paymentOrder"]!["failed"]!["problem"]);
        Assert.Empty(Rels(document));
        await AssertRefusedAsync(order.Id, "authorize");

        var payment = await _payEx.CreatePaymentAsync("v1");
        var aborted = await _payEx.StepAsync(payment.Id, "abort");
        Assert.Null(aborted.Transaction);
        Assert.Equal(["payment"], aborted.CallbackJson.Select(p => p.Key));
        Assert.Equal("Aborted", (await PaymentAsync(payment.Payment!))["state"]!.GetValue<string>());
        await AssertRefusedAsync(payment.Id, "authorize");

        var v1Failed = await _payEx.CreatePaymentAsync("v1");
        var failure = await _payEx.StepAsync(v1Failed.Id, "fail");
        var typed = await _payEx.GetDocumentAsync(failure.Transaction!);
        Assert.Equal("Failed", typed["authorization"]!["transaction"]!["state"]!.GetValue<string>());
        Assert.Equal("Failed", (await PaymentAsync(v1Failed.Payment!))["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Steps_the_state_does_not_allow_are_refused_and_change_nothing()
    {
        var order = await _payEx.CreatePaymentAsync("v3.1");
        await AssertRefusedAsync(order.Id, "capture");
        await AssertRefusedAsync(order.Id, "reverse");
        await _payEx.StepAsync(order.Id, "authorize");
        await AssertRefusedAsync(order.Id, "authorize");
        await AssertRefusedAsync(order.Id, "capture", 1501);
        await AssertRefusedAsync(order.Id, "reverse");
        await _payEx.StepAsync(order.Id, "capture", 1000);
        await AssertRefusedAsync(order.Id, "reverse", 1001);
        await AssertRefusedAsync(order.Id, "abort");

        using var unknown = await _http.PostAsync($"/_standin/payments/{Guid.NewGuid():D}/capture", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var badStep = await _http.PostAsync($"/_standin/payments/{order.Id:D}/refund", null);
        Assert.Equal(HttpStatusCode.BadRequest, badStep.StatusCode);
    }

    [Theory]
    [InlineData("""{"generation":"v4"}""")]
    [InlineData("""{"generation":"v1","amount":0}""")]
    [InlineData("""{"generation":"v1","instrument":"cash"}""")]
    [InlineData("""{"generation":"v3.1","intent":"AutoCapture"}""")]
    [InlineData("""{"generation":"v3.1","currency":"kr"}""")]
    [InlineData("""{"generation":""")]
    public async Task A_payment_it_cannot_make_is_a_400_with_a_plain_message(string body)
    {
        using var response = await _http.PostAsync("/_standin/payments", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEmpty(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Sub_resources_are_links_unless_expanded()
    {
        var order = await _payEx.CreatePaymentAsync("v3.1");
        await _payEx.StepAsync(order.Id, "authorize");
        await _payEx.StepAsync(order.Id, "capture");

        var plain = (await _payEx.GetDocumentAsync(order.PaymentOrder!))["paymentOrder"]!;
        Assert.Equal(["id"], plain["paid"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["id"], plain["financialTransactions"]!.AsObject().Select(p => p.Key));

        var expanded = (await _payEx.GetDocumentAsync($"{order.PaymentOrder}?$expand=Paid,FinancialTransactions"))["paymentOrder"]!;
        Assert.Equal("Authorization", expanded["paid"]!["transactionType"]!.GetValue<string>());
        Assert.Single(expanded["financialTransactions"]!["financialTransactionsList"]!.AsArray());
        Assert.Equal(["id"], expanded["reversed"]!.AsObject().Select(p => p.Key));

        var paid = await _payEx.GetDocumentAsync($"{order.PaymentOrder}/paid");
        Assert.Equal(order.PaymentOrder, paid["paymentOrder"]!.GetValue<string>());
        Assert.Equal(expanded["paid"]!.ToJsonString(), paid["paid"]!.ToJsonString());

        var payment = await _payEx.CreatePaymentAsync("v1");
        await _payEx.StepAsync(payment.Id, "authorize");
        var link = (await _payEx.GetDocumentAsync(payment.Payment!))["payment"]!["transactions"]!;
        Assert.Equal(["id"], link.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Scripted_payments_keep_the_token_check_and_faults_and_are_cleared_by_reset()
    {
        var order = await _payEx.CreatePaymentAsync("v3.1");
        using (var request = new HttpRequestMessage(HttpMethod.Get, order.PaymentOrder))
        using (var unauthorized = await _http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        }

        using (await _http.PostAsJsonAsync("/_standin/faults", new { path = order.PaymentOrder, status = 503 }))
        {
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => _payEx.GetDocumentAsync(order.PaymentOrder!));
        await _payEx.GetDocumentAsync(order.PaymentOrder!);

        using (await _http.PostAsync("/_standin/reset", null))
        {
        }

        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => _payEx.GetDocumentAsync(order.PaymentOrder!));
        Assert.Contains("404", missing.Message);
        using var gone = await _http.PostAsync($"/_standin/payments/{order.Id:D}/authorize", null);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    private async Task AssertRefusedAsync(Guid id, string step, long? amount = null)
    {
        var before = await SnapshotAsync(id);
        using var response = amount is { } a
            ? await _http.PostAsJsonAsync($"/_standin/payments/{id:D}/{step}", new { amount = a })
            : await _http.PostAsync($"/_standin/payments/{id:D}/{step}", null);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.NotEmpty(await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await SnapshotAsync(id));
    }

    // Everything PayEx serves about a scripted payment, to see that a refused step changed nothing.
    private async Task<string> SnapshotAsync(Guid id)
    {
        var order = $"/psp/paymentorders/{id:D}?$expand=paid,cancelled,reversed,failedattempts,financialtransactions";
        using var response = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, order) { Headers = { Authorization = new("Bearer", _payEx.Token) } });
        if (response.IsSuccessStatusCode)
        {
            return await response.Content.ReadAsStringAsync();
        }

        var paths = new[] { "creditcard", "swish" }.Select(i => $"/psp/{i}/payments/{id:D}?$expand=transactions");
        foreach (var path in paths)
        {
            using var payment = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new("Bearer", _payEx.Token) } });
            if (payment.IsSuccessStatusCode)
            {
                return await payment.Content.ReadAsStringAsync();
            }
        }

        Assert.Fail($"nothing is served for {id}");
        return "";
    }

    private async Task<JsonNode> PaymentAsync(string path) => (await _payEx.GetDocumentAsync(path))["payment"]!;

    private async Task<JsonNode> OrderAsync(string path) =>
        (await _payEx.GetDocumentAsync($"{path}?$expand=paid,cancelled,reversed,failedattempts,financialtransactions"))["paymentOrder"]!;

    // PayEx's v2 documentation names the root member in lower case.
    private async Task<JsonNode> V2OrderAsync(string pathAndQuery) => (await _payEx.GetDocumentAsync(pathAndQuery))["paymentorder"]!;

    private static DateTimeOffset Updated(JsonNode resource) =>
        DateTimeOffset.Parse(resource["updated"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    private static void AssertStrictlyIncreasing(List<DateTimeOffset> updated) =>
        Assert.All(updated.Zip(updated.Skip(1)), pair => Assert.True(pair.First < pair.Second, $"updated {pair.Second:O} is not after {pair.First:O}"));

    private static void AssertRemaining(JsonNode resource, long? capture, long? cancellation, long? reversal) => Assert.Equal(
        (capture, cancellation, reversal),
        (resource["remainingCaptureAmount"]?.GetValue<long>(), resource["remainingCancellationAmount"]?.GetValue<long>(), resource["remainingReversalAmount"]?.GetValue<long>()));

    private static void AssertNumberIsFinancial(JsonNode order, StandInStep step, string type, long amount)
    {
        var number = step.CallbackJson["paymentOrder"]!["number"]!.GetValue<long>();
        var item = AssertNumberIsFinancial(order, number, type, amount);
        Assert.Equal(step.Transaction, item["id"]!.GetValue<string>());
    }

    // The callback's number is found among the order's financial transactions, as the app looks for it.
    private static JsonNode AssertNumberIsFinancial(JsonNode order, long number, string type, long amount)
    {
        var item = Assert.Single(order["financialTransactions"]!["financialTransactionsList"]!.AsArray(), t => t!["number"]!.GetValue<long>() == number)!;
        Assert.Equal((type, amount), (item["type"]!.GetValue<string>(), item["amount"]!.GetValue<long>()));
        return item;
    }

    private static string[] Rels(JsonNode document) =>
        [.. document["operations"]!.AsArray().Select(o => o!["rel"]!.GetValue<string>())];
}
