using System.Text;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Callbacks;

public class CallbackParserTests
{
    private const string P = Examples.DocsPaymentId;
    private const string T = Examples.DocsTransactionId;
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly CallbackParser _parser = new(new Uri("https://api.externalintegration.payex.com"));

    private CallbackEnvelope Parse(string json)
    {
        Assert.True(_parser.TryParse(Encoding.UTF8.GetBytes(json), "id-1", Now, out var envelope, out var rejection),
            rejection is null ? null : $"{rejection.Title} {string.Join("; ", rejection.Errors.Select(e => $"{e.Key}: {string.Join(",", e.Value)}"))}");
        return envelope;
    }

    private CallbackRejection Reject(string json)
    {
        Assert.False(_parser.TryParse(Encoding.UTF8.GetBytes(json), "id-1", Now, out var envelope, out var rejection));
        Assert.Null(envelope);
        return rejection;
    }

    private static string Flat(string payment = $"/psp/creditcard/payments/{P}", string transaction = $"/psp/creditcard/payments/{P}/transactions/{T}") =>
        File.ReadAllText(RepoPaths.TestData("callback-v1-flat.json"))
            .Replace("/psp/creditcard/payments/<paymentId>/transactions/<transactionId>", transaction)
            .Replace("/psp/creditcard/payments/<paymentId>", payment);

    [Fact]
    public void The_flat_2018_shape_is_read()
    {
        var envelope = Parse(Flat());
        Assert.Equal(CallbackShape.V1Flat, envelope.Shape);
        Assert.Equal($"/psp/creditcard/payments/{P}", envelope.Payment);
        Assert.Equal(123456, envelope.PaymentNumber);
        Assert.Equal($"/psp/creditcard/payments/{P}/transactions/{T}", envelope.Transaction);
        Assert.Equal(12345678, envelope.TransactionNumber);
        Assert.Null(envelope.PaymentOrder);
        Assert.Equal(Now, envelope.ReceivedAt);
        Assert.Equal(Flat(), envelope.RawBody);
    }

    [Fact]
    public void The_flat_shape_takes_numbers_sent_as_strings()
    {
        var envelope = Parse($$$"""{"payment":"/psp/creditcard/payments/{{{P}}}","paymentNumber":"123456","transaction":"/psp/creditcard/payments/{{{P}}}/transactions/{{{T}}}","transactionNumber":"12345678"}""");
        Assert.Equal(123456, envelope.PaymentNumber);
        Assert.Equal(12345678, envelope.TransactionNumber);
    }

    [Fact]
    public void The_flat_example_as_published_with_placeholders_is_refused()
    {
        var rejection = Reject(File.ReadAllText(RepoPaths.TestData("callback-v1-flat.json")));
        Assert.Contains("payment", rejection.Errors.Keys);
    }

    [Fact]
    public void The_nested_instrument_shape_is_read()
    {
        var envelope = Parse(File.ReadAllText(RepoPaths.TestData("callback-v1-nested-instrument.json")));
        Assert.Equal(CallbackShape.V1Nested, envelope.Shape);
        Assert.Equal($"/psp/creditcard/payments/{P}", envelope.Payment);
        Assert.Equal(222222222, envelope.PaymentNumber);
        Assert.Equal($"/psp/creditcard/payments/{P}/authorizations/{T}", envelope.Transaction);
        Assert.Equal(333333333, envelope.TransactionNumber);
    }

    [Fact]
    public void The_v2_and_v3_0_payment_order_shape_is_read()
    {
        var envelope = Parse(File.ReadAllText(RepoPaths.TestData("callback-v2-v3.0-paymentorder.json")));
        Assert.Equal(CallbackShape.PaymentOrder, envelope.Shape);
        Assert.Equal($"/psp/paymentorders/{P}", envelope.PaymentOrder);
        Assert.Equal("paymentorders", envelope.Instrument);
        Assert.Equal($"/psp/creditcard/payments/{P}", envelope.Payment);
        Assert.Equal($"/psp/creditcard/payments/{P}/authorizations/{T}", envelope.Transaction);
        Assert.Null(envelope.OrderReference);
    }

    [Fact]
    public void The_v2_shape_with_order_reference_is_read_and_its_singular_sale_path_normalised()
    {
        var envelope = Parse(File.ReadAllText(RepoPaths.TestData("callback-v2-paymentorder-with-orderreference.json")));
        Assert.Equal(CallbackShape.PaymentOrder, envelope.Shape);
        Assert.Equal("ABC123", envelope.OrderReference);
        Assert.Equal("/psp/paymentorders/c3ac1392-35b0-43a6-8f27-08dbce43b47c", envelope.PaymentOrder);
        Assert.Equal($"/psp/swish/payments/{P}/sales/{T}", envelope.Transaction);
    }

    [Theory]
    [InlineData("callback-v3.1-paymentorder.json", "/psp/paymentorders/7e6cdfc3-1276-44e9-9992-7cf4419750e1", 12345678, "549213", "paymentorders")]
    [InlineData("callback-v3.1-paymentorder-orderreference.sdk-php.json", "/psp/paymentorders/a9bd5ea2-d2b0-48d1-59c8-08dc230b04ba", 40129161258, "PO-638423890947905216", "CreditCard")]
    public void The_v3_1_payment_order_shape_is_read(string file, string paymentOrder, long number, string orderReference, string instrument)
    {
        var envelope = Parse(File.ReadAllText(RepoPaths.TestData(file)));
        Assert.Equal(CallbackShape.PaymentOrderV31, envelope.Shape);
        Assert.Equal(paymentOrder, envelope.PaymentOrder);
        Assert.Equal(number, envelope.PaymentOrderNumber);
        Assert.Equal(orderReference, envelope.OrderReference);
        Assert.Equal(instrument, envelope.Instrument);
        Assert.Null(envelope.Payment);
        Assert.Null(envelope.Transaction);
    }

    [Fact]
    public void Payment_and_transaction_sent_as_null_leave_a_v3_1_callback_a_v3_1_callback()
    {
        var envelope = Parse($$$"""{"paymentOrder": {"id": "/psp/paymentorders/{{{P}}}", "number": 5}, "payment": null, "transaction": null}""");
        Assert.Equal(CallbackShape.PaymentOrderV31, envelope.Shape);
        Assert.Equal(5, envelope.PaymentOrderNumber);
    }

    [Fact]
    public void Unknown_members_are_ignored()
    {
        var envelope = Parse($$$"""{"payment":{"id":"/psp/creditcard/payments/{{{P}}}","number":1,"extra":[1,2]},"somethingNew":{"a":true}}""");
        Assert.Equal(CallbackShape.V1Nested, envelope.Shape);
        Assert.Null(envelope.Transaction);
    }

    [Fact]
    public void An_absolute_url_on_the_PayEx_host_is_reduced_to_its_path()
    {
        var envelope = Parse($$$"""{"payment":{"id":"https://api.externalintegration.payex.com/psp/creditcard/payments/{{{P}}}"}}""");
        Assert.Equal($"/psp/creditcard/payments/{P}", envelope.Payment);
    }

    [Fact]
    public void A_payment_order_callback_may_name_only_the_transaction_and_its_payment_is_derived()
    {
        var envelope = Parse($$$"""{"paymentOrder":{"id":"/psp/paymentorders/{{{P}}}"},"transaction":{"id":"/psp/swish/payments/{{{P}}}/sales/{{{T}}}"}}""");
        Assert.Equal(CallbackShape.PaymentOrder, envelope.Shape);
        Assert.Equal($"/psp/swish/payments/{P}", envelope.Payment);
    }

    [Theory]
    [InlineData("", "$")]
    [InlineData("{", "$")]
    [InlineData("[]", "$")]
    [InlineData("\"payment\"", "$")]
    [InlineData("{}", "$")]
    [InlineData("""{"payment": 5}""", "$")]
    [InlineData("""{"paymentOrder": "x"}""", "paymentOrder")]
    [InlineData("""{"paymentOrder": {}}""", "paymentOrder.id")]
    [InlineData("""{"paymentOrder": {"id": 7}}""", "paymentOrder.id")]
    [InlineData($$$"""{"paymentOrder": {"id": "/psp/creditcard/payments/{{{P}}}"}}""", "paymentOrder.id")]
    [InlineData($$$"""{"paymentOrder": {"id": "/psp/paymentorders/{{{P}}}", "number": -1}}""", "paymentOrder.number")]
    [InlineData($$$"""{"paymentOrder": {"id": "/psp/paymentorders/{{{P}}}", "number": 1.5}}""", "paymentOrder.number")]
    [InlineData($$$"""{"paymentOrder": {"id": "/psp/paymentorders/{{{P}}}", "number": 99999999999999999999}}""", "paymentOrder.number")]
    [InlineData($$$"""{"paymentOrder": {"id": "/psp/paymentorders/{{{P}}}", "instrument": 5}}""", "paymentOrder.instrument")]
    [InlineData($$$"""{"paymentOrder": {"id": "/psp/paymentorders/{{{P}}}"}, "payment": "x"}""", "payment")]
    [InlineData($$$"""{"payment": {"id": "/psp/creditcard/payments/{{{P}}}/captures/{{{T}}}"}}""", "payment.id")]
    [InlineData($$$"""{"payment": {"number": 5}}""", "payment.id")]
    [InlineData($$$"""{"payment": {"id": "/psp/creditcard/payments/{{{P}}}"}, "transaction": {"id": "/psp/creditcard/payments/{{{P}}}"}}""", "transaction.id")]
    [InlineData($$$"""{"payment": {"id": "/psp/creditcard/payments/{{{P}}}"}, "transaction": {"id": "/psp/creditcard/payments/{{{T}}}/captures/{{{T}}}"}}""", "transaction.id")]
    [InlineData($$$"""{"payment": {"id": "/psp/creditcard/payments/{{{P}}}"}, "transaction": "/psp/creditcard/payments/{{{P}}}/captures/{{{T}}}"}""", "transaction")]
    [InlineData($$$"""{"payment": "/psp/creditcard/payments/{{{P}}}", "transaction": "/psp/creditcard/payments/{{{T}}}/captures/{{{T}}}"}""", "transaction")]
    [InlineData($$$"""{"payment": "/psp/creditcard/payments/{{{P}}}", "paymentNumber": true}""", "paymentNumber")]
    [InlineData($$$"""{"payment": "/psp/creditcard/payments/{{{P}}}", "paymentNumber": "12a"}""", "paymentNumber")]
    [InlineData($$$"""{"payment": "https://evil.example/psp/creditcard/payments/{{{P}}}"}""", "payment")]
    [InlineData($$$"""{"payment": {"id": "/psp/creditcard/payments/{{{P}}}"}, "orderReference": 12}""", "orderReference")]
    [InlineData($$$"""{"payment": {"id": "/psp/creditcard/payments/{{{P}}}"}, "orderReference": "a\u0000b"}""", "orderReference")]
    [InlineData($$$"""{"payment": {"id": "/psp/creditcard/payments/{{{P}}}"}, "payment": {"id": "/psp/creditcard/payments/{{{T}}}"}}""", "$")]
    [InlineData($$$"""{"payment": {"id": "/psp/creditcard/payments/{{{P}}}"},}""", "$")]
    [InlineData($$$"""{"payment": {"id": "/psp/creditcard/payments/{{{P}}}"}} // x""", "$")]
    public void A_malformed_callback_is_refused_naming_the_member(string json, string member)
    {
        var rejection = Reject(json);
        Assert.False(string.IsNullOrWhiteSpace(rejection.Title));
        Assert.Contains(member, rejection.Errors.Keys);
    }

    [Fact]
    public void An_overlong_order_reference_is_refused()
    {
        var rejection = Reject($$$"""{"payment": {"id": "/psp/creditcard/payments/{{{P}}}"}, "orderReference": "{{{new string('x', 129)}}}"}""");
        Assert.Contains("orderReference", rejection.Errors.Keys);
    }

    [Fact]
    public void Deep_nesting_is_refused()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 40);
        var rejection = Reject($$$"""{"payment": {"id": "/psp/creditcard/payments/{{{P}}}"}, "x": {{{deep}}}}""");
        Assert.Contains("$", rejection.Errors.Keys);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        var bytes = Encoding.UTF8.GetBytes($$$"""{"payment": {"id": "/psp/creditcard/payments/{{{P}}}"}, "x": "__"}""");
        var at = Array.IndexOf(bytes, (byte)'_');
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28;
        Assert.False(_parser.TryParse(bytes, "id", Now, out _, out var rejection));
        Assert.Contains("$", rejection.Errors.Keys);
    }
}
