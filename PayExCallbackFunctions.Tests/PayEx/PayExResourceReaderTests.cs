using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.PayEx;

public class PayExResourceReaderTests
{
    private const string P = Examples.DocsPaymentId;
    private const string T = Examples.DocsTransactionId;

    private static byte[] Example(string file) => File.ReadAllBytes(RepoPaths.StandInExample(file));

    private static PayExPath Path(string path) =>
        PayExPath.TryParseRelative(path, out var parsed, out var error) ? parsed : throw new ArgumentException(error);

    [Fact]
    public void A_payment_is_read_with_its_state_amount_and_number()
    {
        var payment = PayExResourceReader.ReadPayment(Example("payment-creditcard.sdk-php.json"), Path("/psp/creditcard/payments/0dac01c4-3c2e-4f32-31d2-08d8df0d48aa"));
        Assert.Equal("payment-0dac01c4-3c2e-4f32-31d2-08d8df0d48aa", payment.RowKey);
        Assert.Equal("Ready", payment.State);
        Assert.Equal(6185, payment.Amount);
        Assert.Equal("SEK", payment.Currency);
        Assert.Equal(40106651845, payment.Number);
        Assert.Equal("Authorization", payment.Type);
        Assert.Equal(DateTimeOffset.Parse("2021-03-09T10:04:59.2595453Z"), payment.Updated);
        Assert.Contains("\"remainingCaptureAmount\"", payment.Json);
    }

    [Theory]
    [InlineData("{ \"id\": \"/psp/creditcard/payments/0dac01c4-3c2e-4f32-31d2-08d8df0d48aa\",", "repeats a property")]
    [InlineData("{ \"state\": \"Failed\",", "repeats a property")]
    [InlineData("{ ,", "is not JSON")]
    [InlineData("{ \"description\": \"\\ud800\",", "not valid Unicode")]
    [InlineData("{ \"\\udfff\": 1,", "not valid Unicode")]
    public void A_payment_that_repeats_a_property_or_is_not_JSON_is_refused(string start, string reason)
    {
        var json = Encoding.UTF8.GetString(Example("payment-creditcard.sdk-php.json"));
        var altered = json.Replace("\"payment\": {", "\"payment\": " + start, StringComparison.Ordinal);
        Assert.NotEqual(json, altered);
        var refused = Assert.Throws<PayExResourceException>(() =>
            PayExResourceReader.ReadPayment(Encoding.UTF8.GetBytes(altered), Path("/psp/creditcard/payments/0dac01c4-3c2e-4f32-31d2-08d8df0d48aa")));
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_typed_transaction_is_read_from_inside_its_type()
    {
        var capture = PayExResourceReader.ReadTransaction(
            Example("transaction-capture-creditcard.wc-core.json"),
            Path("/psp/creditcard/payments/ac44c139-99d7-4f02-a10f-08db0362a155/captures/40e97bac-9387-42a9-b87e-08db03630610"),
            "SEK");
        Assert.Equal("transaction-40e97bac-9387-42a9-b87e-08db03630610", capture.RowKey);
        Assert.Equal("Capture", capture.Type);
        Assert.Equal("Completed", capture.State);
        Assert.Equal(28125, capture.Amount);
        Assert.Equal("SEK", capture.Currency);
        Assert.Equal(40120453342, capture.Number);
    }

    [Fact]
    public void A_generic_transaction_is_read()
    {
        var sale = PayExResourceReader.ReadTransaction(
            Example("transaction-generic-trustly-sale.docs.json"), Path($"/psp/trustly/payments/{P}/transactions/{T}"), null);
        Assert.Equal("Sale", sale.Type);
        Assert.Equal("Initialized", sale.State);
        Assert.Equal(1000, sale.Amount);
    }

    [Fact]
    public void A_failed_authorization_reads_as_failed()
    {
        var failed = PayExResourceReader.ReadTransaction(
            Example("transaction-authorization-invoice-failed.docs.json"), Path($"/psp/invoice/payments/{P}/authorizations/{T}"), "SEK");
        Assert.Equal("Failed", failed.State);
        Assert.Equal("Authorization", failed.Type);
    }

    [Fact]
    public void A_payment_answered_for_another_id_is_refused()
    {
        Assert.Throws<PayExResourceException>(() => PayExResourceReader.ReadPayment(
            Example("payment-creditcard.sdk-php.json"), Path($"/psp/creditcard/payments/{P}")));
    }

    [Fact]
    public void A_transaction_of_another_payment_is_refused()
    {
        Assert.Throws<PayExResourceException>(() => PayExResourceReader.ReadTransaction(
            Example("transaction-generic-trustly-sale.docs.json"), Path($"/psp/trustly/payments/{Guid.NewGuid()}/transactions/{T}"), null));
    }

    [Fact]
    public void Another_transaction_of_the_same_payment_is_refused()
    {
        Assert.Throws<PayExResourceException>(() => PayExResourceReader.ReadTransaction(
            Example("transaction-generic-trustly-sale.docs.json"), Path($"/psp/trustly/payments/{P}/transactions/{Guid.NewGuid()}"), null));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"payment\": \"x\"}")]
    public void A_body_that_is_not_a_payment_is_refused(string body)
    {
        Assert.Throws<PayExResourceException>(() => PayExResourceReader.ReadPayment(Encoding.UTF8.GetBytes(body), Path($"/psp/creditcard/payments/{P}")));
    }

    [Fact]
    public void A_payment_order_is_read_with_its_status()
    {
        var rows = PayExResourceReader.ReadPaymentOrder(
            Example("paymentorder-v3-initialized.sdk-php.json"), Path("/psp/paymentorders/d4c5684f-c2dc-4c18-680d-08dbf62de407"), null);
        var order = Assert.Single(rows);
        Assert.Equal("paymentorder", order.RowKey);
        Assert.Equal("Initialized", order.State);
        Assert.Equal(100, order.Amount);
        Assert.Equal("SEK", order.Currency);
    }

    [Theory]
    [InlineData("PaymentOrder")]
    [InlineData("paymentOrders")]
    [InlineData("payment_order")]
    public void A_payment_order_under_another_root_than_paymentOrder_or_paymentorder_is_refused(string root)
    {
        var json = Encoding.UTF8.GetString(Example("paymentorder-v3-initialized.sdk-php.json")).Replace("\"paymentOrder\":", $"\"{root}\":", StringComparison.Ordinal);
        var e = Assert.Throws<PayExResourceException>(() => PayExResourceReader.ReadPaymentOrder(Encoding.UTF8.GetBytes(json), Path("/psp/paymentorders/d4c5684f-c2dc-4c18-680d-08dbf62de407"), null));
        Assert.Contains("without a paymentOrder", e.Message);
    }

    [Fact]
    public void A_payment_order_under_both_roots_is_refused_as_ambiguous()
    {
        // Which of the two PayEx meant is unknown, as with a repeated property.
        var order = JsonNode.Parse(Example("paymentorder-v3-initialized.sdk-php.json"))!.AsObject();
        order["paymentorder"] = order["paymentOrder"]!.DeepClone();
        order["paymentorder"]!["status"] = "Paid";
        var e = Assert.Throws<PayExResourceException>(() => PayExResourceReader.ReadPaymentOrder(Encoding.UTF8.GetBytes(order.ToJsonString()), Path("/psp/paymentorders/d4c5684f-c2dc-4c18-680d-08dbf62de407"), null));
        Assert.Contains("both", e.Message);
    }

    [Fact]
    public void A_v3_1_attempt_number_is_found_among_the_financial_transactions()
    {
        const string order = "a9bd5ea2-d2b0-48d1-59c8-08dc230b04ba";
        var rows = PayExResourceReader.ReadPaymentOrder(Example("paymentorder-v3.1-captured-example.json"), Path($"/psp/paymentorders/{order}"), 40129161258);
        Assert.Equal(2, rows.Count);
        var capture = rows[1];
        Assert.Equal("transaction-5f8e1d2c-3b4a-4c6d-8e9f-0a1b2c3d4e5f", capture.RowKey);
        Assert.Equal("Capture", capture.Type);
        Assert.Equal("Completed", capture.State);
        Assert.Equal(6185, capture.Amount);
        Assert.Equal(40129161258, capture.Number);
    }

    [Fact]
    public void A_v3_1_attempt_number_is_found_as_the_paid_number()
    {
        var rows = PayExResourceReader.ReadPaymentOrder(Example("paymentorder-callback-examples.json"), Path($"/psp/paymentorders/{P}"), 12345678);
        var paid = rows[1];
        Assert.Equal("attempt-12345678", paid.RowKey);
        Assert.Equal("Paid", paid.State);
        Assert.Equal("Authorization", paid.Type);
        Assert.Equal(1500, paid.Amount);
    }

    [Fact]
    public void A_v3_1_attempt_number_is_found_among_the_failed_attempts()
    {
        var json = JsonNode.Parse(Example("paymentorder-callback-examples.json"))!;
        json["paymentOrder"]!["status"] = "Failed";
        json["paymentOrder"]!["failedAttempts"] = JsonNode.Parse("""
            {"id": "x", "failedAttemptList": [{"created": "2024-01-01T00:00:00Z", "instrument": "CreditCard", "number": 777, "status": "Failed",
              "problem": {"type": "acquirererror", "title": "Operation failed", "status": 403, "detail": "Declined"}}]}
            """);
        var rows = PayExResourceReader.ReadPaymentOrder(Encoding.UTF8.GetBytes(json.ToJsonString()), Path($"/psp/paymentorders/{P}"), 777);
        Assert.Equal("Failed", rows[0].State);
        Assert.Equal("attempt-777", rows[1].RowKey);
        Assert.Equal("Failed", rows[1].State);
        Assert.Contains("Declined", rows[1].Json);
    }

    [Fact]
    public void A_v3_1_number_that_PayEx_does_not_show_leaves_the_payment_order_alone()
    {
        var rows = PayExResourceReader.ReadPaymentOrder(Example("paymentorder-callback-examples.json"), Path($"/psp/paymentorders/{P}"), 999);
        Assert.Single(rows);
    }

    [Fact]
    public void A_financial_transaction_of_another_payment_order_is_not_taken()
    {
        // PayEx's own expanded example lists transactions whose ids name another order.
        var rows = PayExResourceReader.ReadPaymentOrder(
            Encoding.UTF8.GetBytes(File.ReadAllText(RepoPaths.StandInExample("paymentorder-v3.1-captured-example.json"))
                .Replace("a9bd5ea2-d2b0-48d1-59c8-08dc230b04ba/financialtransactions/", $"{P}/financialtransactions/")),
            Path("/psp/paymentorders/a9bd5ea2-d2b0-48d1-59c8-08dc230b04ba"),
            40129161258);
        Assert.Single(rows);
    }

    // Captured from PayEx's test environment by the .NET SDK: ids and numbers are PayEx's own, not composed.
    private static IReadOnlyList<PayExResource> ReadCapturedExpandedOrder(long attemptNumber) =>
        PayExResourceReader.ReadPaymentOrder(
            File.ReadAllBytes(RepoPaths.TestData("paymentorder-v3.1-initialized-expanded.sdk-dotnet.json")),
            Path("/psp/paymentorders/9c0a36c7-10fc-4d3f-7ad9-08dbdb75f503"),
            attemptNumber);

    [Fact]
    public void PayEx_s_captured_v3_1_expanded_order_yields_its_paid_attempt()
    {
        var rows = ReadCapturedExpandedOrder(40128554403);
        Assert.Equal("Initialized", rows[0].State);
        Assert.Equal(23000, rows[0].Amount);
        Assert.Equal("attempt-40128554403", rows[1].RowKey);
        Assert.Equal("Paid", rows[1].State);
        Assert.Equal("Authorization", rows[1].Type);
        Assert.Equal(75000, rows[1].Amount);
        Assert.Equal("PO-638388346589715940", rows[1].OrderReference);
    }

    [Fact]
    public void PayEx_s_captured_v3_1_expanded_order_does_not_lend_a_transaction_of_another_order()
    {
        // Its financial transaction 40127366860 has an id under another payment order.
        var rows = ReadCapturedExpandedOrder(40127366860);
        Assert.Single(rows);
    }
}
