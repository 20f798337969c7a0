using PayExCallbackFunctions.PayEx;

namespace PayExCallbackFunctions.Telemetry;

/// <summary>Attribute names on spans and metrics; the workbook's queries read these.</summary>
public static class TelemetryTags
{
    public const string CallbackId = "callback.id";
    public const string CallbackShape = "callback.shape";
    public const string CallbackOutcome = "callback.outcome";
    public const string CallbackAttempt = "callback.attempt";
    public const string CallbackLagMs = "callback.lag_ms";
    public const string CallbackRejection = "callback.rejection";
    public const string PaymentNumber = "payex.payment.number";
    public const string TransactionNumber = "payex.transaction.number";
    public const string PaymentOrderNumber = "payex.payment_order.number";
    public const string PayExResource = "payex.resource";
    public const string FailureKind = "failure.kind";
    public const string DeadLetterOrigin = "dead_letter.origin";
    public const string StatusCode = "http.response.status_code";
    public const string ErrorType = "error.type";
    public const string MessageId = "messaging.message.id";
    public const string Destination = "messaging.destination.name";
    public const string InvocationId = "faas.invocation_id";
    public const string Partition = "payments.partition";
    public const string RowsWritten = "payments.rows_written";
    public const string RowsKept = "payments.rows_kept";
    public const string PaymentStatus = "payment.status";

    /// <summary>Shape of a callback refused before it was parsed.</summary>
    public const string UnknownShape = "unknown";

    public static string ResourceName(PayExResourceKind kind) => kind switch
    {
        PayExResourceKind.Payment => "payment",
        PayExResourceKind.Transaction => "transaction",
        PayExResourceKind.PaymentOrder => "paymentorder",
        _ => "other",
    };
}
