using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Payments;

/// <summary>
/// Every PayEx example document maps to its status and amounts, read through <see cref="PayExResourceReader"/>
/// and derived as the app does (see <c>CallbackProcessor</c>): a payment order from its own document; a payment
/// from its expanded transaction list plus the transaction a v1 callback names. Documents come as PayEx published
/// them; a row that changes one says what it changed and why (a known gap of STATUS-MODEL, a state the example
/// does not show). The README's table of documents and statuses is this table.
/// </summary>
public class StatusDerivationTests
{
    /// <summary>What a row expects: the status, the four amounts, and PayEx's three remaining amounts as PayEx gave them.</summary>
    public sealed record Expected(string Status, long Authorized, long Captured, long Cancelled, long Reversed, long? RemainingCapture, long? RemainingCancellation, long? RemainingReversal)
    {
        public static Expected Of(PaymentSnapshot s) =>
            new(s.Status, s.AuthorizedAmount, s.CapturedAmount, s.CancelledAmount, s.ReversedAmount, s.RemainingCaptureAmount, s.RemainingCancellationAmount, s.RemainingReversalAmount);
    }

    private const string CardPayment = "payment-creditcard-callback-examples.json";

    // The row's name starts with the document it reads; the coverage test below relies on that.
    private static readonly Dictionary<string, (Func<PaymentSnapshot> Derive, Expected Expected)> Table = new()
    {
        // Payments as published: PayEx shows their transactions as a link only, so no Authorization is seen.
        ["payment-creditcard.sdk-php.json, as published (transactions not expanded)"] =
            (() => Payment(Doc("payment-creditcard.sdk-php.json")), new(PaymentStatus.Pending, 0, 0, 0, 0, 6185, 6185, null)),
        ["payment-creditcard.sdk-php.json, its completed authorization of 6185 listed"] =
            (() => Payment(Listed(Doc("payment-creditcard.sdk-php.json"), Transaction("transaction-authorization-creditcard.docs.json", state: "Completed", amount: 6185))),
             new(PaymentStatus.Authorized, 6185, 0, 0, 0, 6185, 6185, null)),
        ["payment-creditcard-callback-examples.json (the card payment of the callback examples)"] =
            (() => Payment(Doc(CardPayment)), new(PaymentStatus.Pending, 0, 0, 0, 0, 6185, 6185, null)),
        ["payment-invoice.docs.json"] = (() => Payment(Doc("payment-invoice.docs.json")), new(PaymentStatus.Pending, 0, 0, 0, 0, 1500, 1500, 0)),
        ["payment-mobilepay.docs.json"] = (() => Payment(Doc("payment-mobilepay.docs.json")), new(PaymentStatus.Pending, 0, 0, 0, 0, 1500, 1500, 0)),
        ["payment-swish.docs.json"] = (() => Payment(Doc("payment-swish.docs.json")), new(PaymentStatus.Pending, 0, 0, 0, 0, 1500, 1500, 0)),
        ["payment-trustly.docs.json"] = (() => Payment(Doc("payment-trustly.docs.json")), new(PaymentStatus.Pending, 0, 0, 0, 0, 1500, 1500, 0)),
        ["payment-vipps.docs.json"] = (() => Payment(Doc("payment-vipps.docs.json")), new(PaymentStatus.Pending, 0, 0, 0, 0, 1500, 1500, 0)),

        // v1 Failed / Aborted (STATUS-MODEL): the payment's state decides while nothing was authorized.
        ["payment-creditcard.sdk-php.json, state Failed"] =
            (() => Payment(With(Doc("payment-creditcard.sdk-php.json"), "payment", p => p["state"] = "Failed")), new(PaymentStatus.Failed, 0, 0, 0, 0, 6185, 6185, null)),
        ["payment-creditcard.sdk-php.json, state Aborted"] =
            (() => Payment(With(Doc("payment-creditcard.sdk-php.json"), "payment", p => p["state"] = "Aborted")), new(PaymentStatus.Aborted, 0, 0, 0, 0, 6185, 6185, null)),

        // Transactions, each named by a v1 callback of its payment (the example payment of its instrument).
        ["transaction-authorization-creditcard.docs.json, as published (state Initialized)"] =
            (() => Payment(Doc(CardPayment), Doc("transaction-authorization-creditcard.docs.json")), new(PaymentStatus.Pending, 0, 0, 0, 0, 6185, 6185, null)),
        ["transaction-authorization-creditcard.docs.json, state Completed"] =
            (() => Payment(Doc(CardPayment), WithTransaction(Doc("transaction-authorization-creditcard.docs.json"), t => t["state"] = "Completed")),
             new(PaymentStatus.Authorized, 1000, 0, 0, 0, 6185, 6185, null)),
        ["transaction-authorization-invoice-failed.docs.json"] =
            (() => Payment(Doc("payment-invoice.docs.json"), Doc("transaction-authorization-invoice-failed.docs.json")), new(PaymentStatus.Pending, 0, 0, 0, 0, 1500, 1500, 0)),
        ["transaction-authorization-invoice-failed.docs.json, its payment Failed"] =
            (() => Payment(With(Doc("payment-invoice.docs.json"), "payment", p => p["state"] = "Failed"), Doc("transaction-authorization-invoice-failed.docs.json")),
             new(PaymentStatus.Failed, 0, 0, 0, 0, 1500, 1500, 0)),
        // Its payment (not among the examples) is the card payment's document for 28125, authorized in full.
        ["transaction-capture-creditcard.wc-core.json, the whole authorization captured"] =
            (() => Payment(CapturedCardPayment(authorized: 28125, remainingCapture: null), Doc("transaction-capture-creditcard.wc-core.json")),
             new(PaymentStatus.Captured, 28125, 28125, 0, 0, null, null, 28125)),
        ["transaction-capture-creditcard.wc-core.json, 1875 still to capture"] =
            (() => Payment(CapturedCardPayment(authorized: 30000, remainingCapture: 1875), Doc("transaction-capture-creditcard.wc-core.json")),
             new(PaymentStatus.PartiallyCaptured, 30000, 28125, 0, 0, 1875, 1875, 28125)),
        ["transaction-generic-swish.docs.json (a Capture, Initialized)"] =
            (() => Payment(Doc("payment-swish.docs.json"), Doc("transaction-generic-swish.docs.json")), new(PaymentStatus.Pending, 0, 0, 0, 0, 1500, 1500, 0)),
        ["transaction-generic-trustly-sale.docs.json, as published (Initialized)"] =
            (() => Payment(Doc("payment-trustly.docs.json"), Doc("transaction-generic-trustly-sale.docs.json")), new(PaymentStatus.Pending, 0, 0, 0, 0, 1500, 1500, 0)),
        // A completed sale is captured at once, whatever remaining capture amount the payment document shows.
        ["transaction-generic-trustly-sale.docs.json, state Completed"] =
            (() => Payment(Doc("payment-trustly.docs.json"), WithTransaction(Doc("transaction-generic-trustly-sale.docs.json"), t => t["state"] = "Completed")),
             new(PaymentStatus.Captured, 1000, 1000, 0, 0, 1500, 1500, 0)),
        ["transaction-sale-swish.json (a completed Swish sale)"] =
            (() => Payment(Doc("payment-swish.docs.json"), Doc("transaction-sale-swish.json")), new(PaymentStatus.Captured, 1500, 1500, 0, 0, 1500, 1500, 0)),
        // The typed list's transactions as the payment's expanded list shows them, beside its completed authorization.
        ["transaction-list-captures-vipps.docs.json, 1000 of 1500 captured"] =
            (() => Payment(VippsPayment(remainingCapture: 500, remainingReversal: 1000, extraCapture: null)), new(PaymentStatus.PartiallyCaptured, 1500, 1000, 0, 0, 500, 500, 1000)),
        ["transaction-list-captures-vipps.docs.json, with a second capture of 500: the sum"] =
            (() => Payment(VippsPayment(remainingCapture: null, remainingReversal: 1500, extraCapture: 500)), new(PaymentStatus.Captured, 1500, 1500, 0, 0, null, null, 1500)),

        // Payment orders.
        ["paymentorder-v3-initialized.sdk-php.json"] = (() => Order(Doc("paymentorder-v3-initialized.sdk-php.json")), new(PaymentStatus.Pending, 0, 0, 0, 0, null, null, null)),
        ["paymentorder-v3-initialized.sdk-php.json, status Failed"] =
            (() => Order(With(Doc("paymentorder-v3-initialized.sdk-php.json"), "paymentOrder", o => o["status"] = "Failed")), new(PaymentStatus.Failed, 0, 0, 0, 0, null, null, null)),
        ["paymentorder-v3-initialized.sdk-php.json, status Aborted"] =
            (() => Order(With(Doc("paymentorder-v3-initialized.sdk-php.json"), "paymentOrder", o => o["status"] = "Aborted")), new(PaymentStatus.Aborted, 0, 0, 0, 0, null, null, null)),
        // PayEx's own capture, pieced together by the .NET SDK: Initialized, and its reversal and financial
        // transactions are other orders'. Its paid is its own, but an Initialized order is pending all the same.
        ["paymentorder-v3.1-initialized-expanded.sdk-dotnet.json"] =
            (() => Order(Doc("paymentorder-v3.1-initialized-expanded.sdk-dotnet.json")), new(PaymentStatus.Pending, 0, 0, 0, 0, null, null, null)),
        ["paymentorder-v3.1-initialized-expanded.sdk-dotnet.json, status Paid: another order's capture and reversal ignored"] =
            (() => Order(With(Doc("paymentorder-v3.1-initialized-expanded.sdk-dotnet.json"), "paymentOrder", o => o["status"] = "Paid")), new(PaymentStatus.Authorized, 75000, 0, 0, 0, null, null, null)),
        // Known gap: remainingCaptureAmount absent after a full capture.
        ["paymentorder-v3.1-captured-example.json (Paid, captured in full, no remaining amounts)"] =
            (() => Order(Doc("paymentorder-v3.1-captured-example.json")), new(PaymentStatus.Captured, 6185, 6185, 0, 0, null, null, null)),
        // Known gap: financialTransactions without the sale (here not even expanded): paid has it.
        ["paymentorder-v2-orderreference-example.json (Paid by a Swish sale, financial transactions not listed)"] =
            (() => Order(Doc("paymentorder-v2-orderreference-example.json")), new(PaymentStatus.Captured, 1500, 1500, 0, 0, null, null, null)),
        ["paymentorder-v2-orderreference-example.json, showing a remaining capture amount: a sale is captured all the same"] =
            (() => Order(With(Doc("paymentorder-v2-orderreference-example.json"), "paymentOrder", o => o["remainingCaptureAmount"] = 1500)), new(PaymentStatus.Captured, 1500, 1500, 0, 0, 1500, null, null)),
        ["paymentorder-callback-examples.json (Paid, an authorization of 1500)"] =
            (() => Order(Doc("paymentorder-callback-examples.json")), new(PaymentStatus.Authorized, 1500, 0, 0, 0, null, null, null)),
        ["paymentorder-callback-examples.json, 600 captured"] =
            (() => Order(Paid("Paid", (900, 900, 600), ("Capture", 600))), new(PaymentStatus.PartiallyCaptured, 1500, 600, 0, 0, 900, 900, 600)),
        ["paymentorder-callback-examples.json, captured in full and 500 reversed (status stays Paid)"] =
            (() => Order(Paid("Paid", (0, 0, 1000), ("Capture", 1500), ("Reversal", 500))), new(PaymentStatus.PartiallyReversed, 1500, 1500, 0, 500, 0, 0, 1000)),
        ["paymentorder-callback-examples.json, status Reversed"] =
            (() => Order(Paid("Reversed", (0, 0, 0), ("Capture", 1500), ("Reversal", 1500))), new(PaymentStatus.Reversed, 1500, 1500, 0, 1500, 0, 0, 0)),
        ["paymentorder-callback-examples.json, status Reversed, the reversal only in reversed"] =
            (() => Order(With(Paid("Reversed", (0, 0, 0), ("Capture", 1500)), "paymentOrder", o => o["reversed"] = Outcome("reversed", "Reversal", 1500))),
             new(PaymentStatus.Reversed, 1500, 1500, 0, 1500, 0, 0, 0)),
        ["paymentorder-callback-examples.json, status Cancelled"] =
            (() => Order(With(Paid("Cancelled", (0, 0, 0), ("Cancellation", 1500)), "paymentOrder", o => o["cancelled"] = Outcome("cancelled", "Cancellation", 1500))),
             new(PaymentStatus.Cancelled, 1500, 0, 1500, 0, 0, 0, 0)),
        ["paymentorder-callback-examples.json, status Cancelled, cancelled a link only"] =
            (() => Order(With(Doc("paymentorder-callback-examples.json"), "paymentOrder", o => o["status"] = "Cancelled")), new(PaymentStatus.Cancelled, 1500, 0, 1500, 0, null, null, null)),
    };

    public static TheoryData<string> Rows => new(Table.Keys);

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_example_document_maps_to_its_status_and_amounts(string row)
    {
        var (derive, expected) = Table[row];
        Assert.Equal(expected, Expected.Of(derive()));
    }

    [Fact]
    public void Every_example_resource_document_has_a_row()
    {
        var documents = Directory.GetFiles(RepoPaths.TestData(""), "*.json").Concat(Directory.GetFiles(RepoPaths.StandInExample(""), "*.json"))
            .Select(Path.GetFileName)
            .Where(f => f!.StartsWith("payment", StringComparison.Ordinal) || f.StartsWith("transaction", StringComparison.Ordinal))
            .ToArray();
        Assert.NotEmpty(documents);
        Assert.All(documents, d => Assert.Contains(Table.Keys, row => row.StartsWith(d!, StringComparison.Ordinal)));
    }

    [Fact]
    public void PayEx_s_expanded_order_with_other_orders_sub_resources_is_pending_with_nothing_moved()
    {
        // Each part on its own: the capture, the reversal and the financial transactions of other orders are not this order's money.
        var snapshot = Order(With(Doc("paymentorder-v3.1-initialized-expanded.sdk-dotnet.json"), "paymentOrder", o => o["status"] = "Paid"));
        Assert.Equal((0L, 0L), (snapshot.CapturedAmount, snapshot.ReversedAmount));
        var pending = Order(Doc("paymentorder-v3.1-initialized-expanded.sdk-dotnet.json"));
        Assert.Equal((PaymentStatus.Pending, 23000L, (long?)null), (pending.Status, pending.Amount, pending.Number));
    }

    // The documents this table reads: the test's own copies (TestData/), else the stand-in's (Examples/).
    private static JsonObject Doc(string file)
    {
        var path = File.Exists(RepoPaths.TestData(file)) ? RepoPaths.TestData(file) : RepoPaths.StandInExample(file);
        return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    }

    private static JsonObject With(JsonObject doc, string root, Action<JsonObject> change)
    {
        change(doc[root]!.AsObject());
        return doc;
    }

    // The transaction object of a generic or typed transaction document.
    private static JsonObject TransactionOf(JsonObject doc) =>
        doc["transaction"] as JsonObject ?? doc.Where(p => p.Key != "payment").Select(p => p.Value!["transaction"]!.AsObject()).Single();

    private static JsonObject WithTransaction(JsonObject doc, Action<JsonObject> change)
    {
        change(TransactionOf(doc));
        return doc;
    }

    /// <summary>The transaction of <paramref name="file"/>, moved to the payment it is listed under.</summary>
    private static JsonObject Transaction(string file, string? state = null, long? amount = null, string? id = null)
    {
        var transaction = TransactionOf(Doc(file)).DeepClone().AsObject();
        transaction["id"] = id ?? transaction["id"]!.GetValue<string>();
        if (state is not null) transaction["state"] = state;
        if (amount is not null) transaction["amount"] = amount;
        return transaction;
    }

    /// <summary>The payment as PayEx answers <c>$expand=transactions</c>: its transaction list inline.</summary>
    private static JsonObject Listed(JsonObject doc, params JsonObject[] transactions)
    {
        var payment = doc["payment"]!.AsObject();
        var id = payment["id"]!.GetValue<string>();
        foreach (var t in transactions)
        {
            // Listed under this payment, as PayEx would list it.
            t["id"] = $"{id}/transactions/{t["id"]!.GetValue<string>()[^36..]}";
        }

        payment["transactions"] = new JsonObject { ["id"] = $"{id}/transactions", ["transactionList"] = new JsonArray([.. transactions]) };
        return doc;
    }

    private static JsonObject CapturedCardPayment(long authorized, long? remainingCapture)
    {
        var doc = Doc("payment-creditcard.sdk-php.json");
        var json = doc.ToJsonString().Replace("0dac01c4-3c2e-4f32-31d2-08d8df0d48aa", "ac44c139-99d7-4f02-a10f-08db0362a155", StringComparison.Ordinal);
        doc = JsonNode.Parse(json)!.AsObject();
        var payment = doc["payment"]!.AsObject();
        payment["amount"] = authorized;
        // PayEx omits a remaining amount that is zero.
        payment.Remove("remainingCaptureAmount");
        payment.Remove("remainingCancellationAmount");
        if (remainingCapture is { } r)
        {
            payment["remainingCaptureAmount"] = r;
            payment["remainingCancellationAmount"] = r;
        }

        payment["remainingReversalAmount"] = 28125;
        return Listed(doc, Transaction("transaction-authorization-creditcard.docs.json", "Completed", authorized, Guid.NewGuid().ToString("D")));
    }

    private static JsonObject VippsPayment(long? remainingCapture, long remainingReversal, long? extraCapture)
    {
        var doc = Doc("payment-vipps.docs.json");
        var payment = doc["payment"]!.AsObject();
        payment.Remove("remainingCaptureAmount");
        payment.Remove("remainingCancellationAmount");
        if (remainingCapture is { } r)
        {
            payment["remainingCaptureAmount"] = r;
            payment["remainingCancellationAmount"] = r;
        }

        payment["remainingReversalAmount"] = remainingReversal;
        var captures = Doc("transaction-list-captures-vipps.docs.json")["captures"]!["captureList"]!.AsArray()
            .Select(c => c!["transaction"]!.DeepClone().AsObject())
            .ToList();
        if (extraCapture is { } extra)
        {
            var second = captures[0].DeepClone().AsObject();
            second["id"] = Guid.NewGuid().ToString("D");
            second["number"] = 1234567891;
            second["amount"] = extra;
            captures.Add(second);
        }

        return Listed(doc, [Transaction("transaction-authorization-creditcard.docs.json", "Completed", 1500, Guid.NewGuid().ToString("D")), .. captures]);
    }

    /// <summary>
    /// PayEx's paid card order (paymentorder-callback-examples.json) further on: its status, its remaining amounts
    /// (capture, cancellation, reversal) and its financial transactions, expanded.
    /// </summary>
    private static JsonObject Paid(string status, (long Capture, long Cancellation, long Reversal) remaining, params (string Type, long Amount)[] financial)
    {
        var doc = Doc("paymentorder-callback-examples.json");
        var order = doc["paymentOrder"]!.AsObject();
        var id = order["id"]!.GetValue<string>();
        order["status"] = status;
        order["remainingCaptureAmount"] = remaining.Capture;
        order["remainingCancellationAmount"] = remaining.Cancellation;
        order["remainingReversalAmount"] = remaining.Reversal;
        order["financialTransactions"] = new JsonObject
        {
            ["id"] = $"{id}/financialtransactions",
            ["financialTransactionsList"] = new JsonArray([.. financial.Select((t, i) => (JsonNode)new JsonObject
            {
                ["id"] = $"{id}/financialtransactions/{Guid.NewGuid():D}",
                ["created"] = "2024-01-30T10:16:00.0000000Z",
                ["updated"] = "2024-01-30T10:16:00.0000000Z",
                ["type"] = t.Type,
                ["number"] = 40129161300 + i,
                ["amount"] = t.Amount,
                ["vatAmount"] = 0,
                ["description"] = t.Type,
                ["payeeReference"] = $"549213-{i}",
            })]),
        };
        return doc;
    }

    // The cancelled or reversed sub-resource of the paid card order, expanded.
    private static JsonObject Outcome(string name, string type, long amount) => new()
    {
        ["id"] = $"/psp/paymentorders/{Examples.DocsPaymentId}/{name}",
        ["number"] = 40129161400,
        ["instrument"] = "CreditCard",
        ["payeeReference"] = "549213-x",
        ["transactionType"] = type,
        ["amount"] = amount,
    };

    /// <summary>As the app derives a payment: its expanded list, plus each transaction a callback names, read on its own.</summary>
    private static PaymentSnapshot Payment(JsonObject doc, params JsonObject[] named)
    {
        var payment = PayExResourceReader.ReadPayment(Bytes(doc), PathOf(doc["payment"]!["id"]!));
        var transactions = named.SelectMany(t =>
        {
            // The path the callback names: the typed one where the document has it.
            var typed = t.FirstOrDefault(p => p.Key != "payment" && p.Value is JsonObject o && o["id"] is not null).Value;
            var path = PathOf(typed?["id"] ?? t["transaction"]!["id"]!);
            return PayExResourceReader.ReadTransaction(Bytes(t), path, payment.Currency).Transactions;
        });
        return StatusDerivation.FromPayment(payment, payment.Transactions.Concat(transactions));
    }

    /// <summary>As the app derives a v3.x payment order: from the order it read.</summary>
    private static PaymentSnapshot Order(JsonObject doc)
    {
        var read = PayExResourceReader.ReadPaymentOrder(Bytes(doc), PathOf(doc["paymentOrder"]!["id"]!), null);
        return Assert.IsType<PaymentSnapshot>(read[0].Snapshot);
    }

    private static byte[] Bytes(JsonObject doc) => Encoding.UTF8.GetBytes(doc.ToJsonString());

    private static PayExPath PathOf(JsonNode id) =>
        PayExPath.TryParseRelative(id.GetValue<string>(), out var path, out var error) ? path : throw new ArgumentException(error);
}
