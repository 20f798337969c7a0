namespace PayExCallbackFunctions.Payments;

/// <summary>Which PayEx API a payment was last read through: a refresh reads it the same way.</summary>
public static class PaymentApi
{
    /// <summary>A payment instrument's payment (v1): the payment with its transactions.</summary>
    public const string Payment = "payment";

    /// <summary>A v2/v3.0 payment order: the order, and the payment its callback named, with its transactions.</summary>
    public const string PaymentOrder = "paymentorder";

    /// <summary>A v3.1 payment order, with its paid and financial-transaction sub-resources.</summary>
    public const string PaymentOrderV31 = "paymentorder-3.1";
}
