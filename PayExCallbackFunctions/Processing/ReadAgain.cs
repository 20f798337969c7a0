using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.Payments;

namespace PayExCallbackFunctions.Processing;

/// <summary>
/// A read of a stored payment that no callback asked for (a refresh, a scheduled check): an envelope naming the
/// payment as it was last read, so that it takes the same GETs, the same writer and the same retry path as a callback.
/// </summary>
public static class ReadAgain
{
    public static CallbackEnvelope Envelope(StoredPayment payment, ReadOrigin origin, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(payment);
        return new CallbackEnvelope
        {
            Version = CallbackEnvelope.CurrentVersion,
            Id = $"{origin.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}",
            Origin = origin,
            Shape = payment.Api switch
            {
                PaymentApi.PaymentOrderV31 => CallbackShape.PaymentOrderV31,
                PaymentApi.PaymentOrder => CallbackShape.PaymentOrder,
                _ => CallbackShape.V1Nested,
            },
            PaymentOrder = payment.Api is PaymentApi.Payment ? null : payment.PaymentOrder,
            Payment = payment.Api is PaymentApi.PaymentOrderV31 ? null : payment.Payment,
            ReceivedAt = now,
            RawBody = "",
        };
    }
}
