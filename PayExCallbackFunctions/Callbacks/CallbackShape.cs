namespace PayExCallbackFunctions.Callbacks;

/// <summary>The callback body layouts PayEx has used over the years.</summary>
public enum CallbackShape
{
    /// <summary>2018 Checkout v1: <c>payment</c>, <c>paymentNumber</c>, <c>transaction</c>, <c>transactionNumber</c>.</summary>
    V1Flat,

    /// <summary>Payment Instruments v1: <c>payment{id,number}</c>, <c>transaction{id,number}</c>.</summary>
    V1Nested,

    /// <summary>Checkout v2 / payment order v3.0: <c>paymentOrder{id,instrument}</c> with payment and transaction.</summary>
    PaymentOrder,

    /// <summary>Checkout v3.1: <c>orderReference</c> and <c>paymentOrder{id,instrument,number}</c> only.</summary>
    PaymentOrderV31,
}
