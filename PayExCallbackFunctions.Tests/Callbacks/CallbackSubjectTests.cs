using PayExCallbackFunctions.Callbacks;

namespace PayExCallbackFunctions.Tests.Callbacks;

/// <summary>How log lines name what a callback has: only its parts, a v3.1 number as the attempt's.</summary>
public class CallbackSubjectTests
{
    private const string Order = "/psp/paymentorders/7e6cdfc3-1276-44e9-9992-7cf4419750e1";
    private const string Payment = "/psp/creditcard/payments/5adc265f-f87f-4313-577e-08d3dca1a26c";

    [Fact]
    public void A_v1_callback_is_named_by_its_payment_and_transaction_numbers_and_no_payment_order()
    {
        var envelope = Envelope(CallbackShape.V1Nested) with { Payment = Payment, PaymentNumber = 222222222, Transaction = $"{Payment}/authorizations/ec2a9b09-601a-42ae-8e33-a5737e1cf177", TransactionNumber = 333333333 };

        Assert.Equal("payment 222222222, transaction 333333333", CallbackSubject.Describe(envelope));
        Assert.Equal(new Dictionary<string, object?> { ["PaymentNumber"] = 222222222L, ["TransactionNumber"] = 333333333L }, CallbackSubject.Properties(envelope));
    }

    [Fact]
    public void A_v3_1_callback_is_named_by_its_payment_order_and_the_attempt_its_number_is()
    {
        var envelope = Envelope(CallbackShape.PaymentOrderV31) with { PaymentOrder = Order, PaymentOrderNumber = 12345678 };

        Assert.Equal("payment order 7e6cdfc3-1276-44e9-9992-7cf4419750e1, attempt 12345678", CallbackSubject.Describe(envelope));
        var properties = CallbackSubject.Properties(envelope);
        Assert.Equal(12345678L, properties["AttemptNumber"]);
        Assert.Equal(12345678L, properties["PaymentOrderNumber"]);
        Assert.Equal("7e6cdfc3-1276-44e9-9992-7cf4419750e1", properties["PaymentOrderId"]);
        Assert.False(properties.ContainsKey("TransactionNumber"));
        Assert.Equal(12345678, CallbackSubject.AttemptNumber(envelope));
    }

    [Fact]
    public void A_part_without_a_number_is_named_by_its_id_and_an_absent_part_not_at_all()
    {
        var v1 = Envelope(CallbackShape.V1Flat) with { Payment = Payment };
        var v2 = Envelope(CallbackShape.PaymentOrder) with { PaymentOrder = Order, Payment = Payment, PaymentNumber = 222222222, PaymentOrderNumber = 5 };
        var v31 = Envelope(CallbackShape.PaymentOrderV31) with { PaymentOrder = Order };

        Assert.Equal("payment 5adc265f-f87f-4313-577e-08d3dca1a26c", CallbackSubject.Describe(v1));
        Assert.Empty(CallbackSubject.Properties(v1));
        // Only in v3.1 is the payment order's number an attempt's.
        Assert.Equal("payment order 7e6cdfc3-1276-44e9-9992-7cf4419750e1, payment 222222222", CallbackSubject.Describe(v2));
        Assert.Null(CallbackSubject.AttemptNumber(v2));
        Assert.Equal("payment order 7e6cdfc3-1276-44e9-9992-7cf4419750e1", CallbackSubject.Describe(v31));
    }

    private static CallbackEnvelope Envelope(CallbackShape shape) => new()
    {
        Id = "0123456789abcdef0123456789abcdef",
        Shape = shape,
        ReceivedAt = DateTimeOffset.UnixEpoch,
        RawBody = "{}",
    };
}
