using System.Text.Json;
using PayExCallbackFunctions.PayEx;

namespace PayExCallbackFunctions.Payments;

/// <summary>
/// The normalised status from PayEx's own lists and totals at the time of the GET (never from which
/// callbacks arrived): a v3.x payment order from its status, <c>paid</c> and financial transactions; a
/// payment (v1, and the payment of a v2/v3.0 order) from its state and its transactions.
/// </summary>
public static class StatusDerivation
{
    private const string Completed = "Completed";

    /// <summary>
    /// A v3.x payment order read with its sub-resources expanded; null for a v2 order (no <c>status</c>),
    /// whose status comes from its payment. Sub-resources whose id is not under the order are ignored.
    /// </summary>
    public static PaymentSnapshot? FromPaymentOrder(JsonElement order, PayExPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (PayExJson.Text(order, "status") is not { } status)
        {
            return null;
        }

        var paid = Own(order, "paid", path);
        var financial = Own(order, "financialTransactions", path) is { } list
            ? PayExJson.Items(list, "financialTransactionsList", "financialTransactionList")
                .Where(t => PayExJson.Text(t, "id")?.StartsWith(path.Value + "/", StringComparison.OrdinalIgnoreCase) ?? true)
                .ToArray()
            : [];
        long Sum(string type) => financial.Where(t => string.Equals(PayExJson.Text(t, "type"), type, StringComparison.OrdinalIgnoreCase)).Sum(t => PayExJson.Number(t, "amount") ?? 0);

        var amount = PayExJson.Number(order, "amount");
        var isSale = Is(PayExJson.Text(paid ?? default, "transactionType"), "Sale") || Sum("Sale") > 0;
        // financialTransactions can lack the authorization or the sale: paid has them.
        var authorized = paid is { } p ? PayExJson.Number(p, "amount") ?? amount ?? 0 : Math.Max(Sum("Authorization"), Sum("Sale"));
        var captured = Sum("Capture") + (isSale ? Math.Max(Sum("Sale"), authorized) : 0);
        var cancelled = Sum("Cancellation");
        var reversed = Sum("Reversal");
        if (Is(status, "Cancelled") && cancelled == 0)
        {
            cancelled = PayExJson.Number(Own(order, "cancelled", path) ?? default, "amount") ?? authorized;
        }

        if (Is(status, "Reversed") && reversed == 0)
        {
            reversed = PayExJson.Number(Own(order, "reversed", path) ?? default, "amount") ?? captured;
        }

        var remainingCapture = PayExJson.Number(order, "remainingCaptureAmount");
        // A sale is captured at once: nothing of it is left to capture, whatever amount PayEx shows as remaining.
        var capturable = isSale ? 0 : remainingCapture;
        var normalised = status switch
        {
            _ when Is(status, "Initialized") => PaymentStatus.Pending,
            _ when Is(status, "Failed") => PaymentStatus.Failed,
            _ when Is(status, "Aborted") => PaymentStatus.Aborted,
            _ when Is(status, "Cancelled") => PaymentStatus.Cancelled,
            _ when Is(status, "Reversed") => PaymentStatus.Reversed,
            // Paid: authorized at least, however the amounts read.
            _ => PaymentStatus.FromAmounts(authorized, captured, cancelled, reversed, capturable) switch
            {
                PaymentStatus.Pending or PaymentStatus.Cancelled => PaymentStatus.Authorized,
                var byAmounts => byAmounts,
            },
        };
        var moved = normalised is not (PaymentStatus.Pending or PaymentStatus.Failed or PaymentStatus.Aborted);

        return new PaymentSnapshot
        {
            Status = normalised,
            Amount = amount,
            AuthorizedAmount = moved ? authorized : 0,
            CapturedAmount = moved ? captured : 0,
            CancelledAmount = moved ? cancelled : 0,
            ReversedAmount = moved ? reversed : 0,
            RemainingCaptureAmount = remainingCapture,
            RemainingCancellationAmount = PayExJson.Number(order, "remainingCancellationAmount"),
            RemainingReversalAmount = PayExJson.Number(order, "remainingReversalAmount"),
            Currency = PayExJson.Text(order, "currency"),
            Instrument = PayExJson.Text(paid ?? default, "instrument") ?? PayExJson.Text(order, "instrument"),
            OrderReference = PayExJson.Text(order, "orderReference") ?? PayExJson.Text(paid ?? default, "orderReference"),
            PayeeReference = PayExJson.Text(order, "payeeReference") ?? PayExJson.Text(PayExJson.Child(order, "payeeInfo") ?? default, "payeeReference") ?? PayExJson.Text(paid ?? default, "payeeReference"),
            PaymentOrder = path.Value,
            Number = moved ? PayExJson.Number(paid ?? default, "number") : null,
            Updated = PayExJson.Time(order, "updated"),
        };
    }

    /// <summary>
    /// A payment from its state, its amounts and its transactions (PayEx's list, plus any transaction read on
    /// its own). Only completed transactions count; each once.
    /// </summary>
    public static PaymentSnapshot FromPayment(PayExResource payment, IEnumerable<TransactionFact> transactions, string? paymentOrder = null)
    {
        ArgumentNullException.ThrowIfNull(payment);
        var completed = transactions
            .Where(t => string.Equals(t.State, Completed, StringComparison.OrdinalIgnoreCase))
            .DistinctBy(t => t.Id, StringComparer.OrdinalIgnoreCase)
            .ToArray();
        long Sum(string type) => completed.Where(t => string.Equals(t.Type, type, StringComparison.OrdinalIgnoreCase)).Sum(t => t.Amount ?? 0);

        var sale = Sum("Sale");
        var authorized = Sum("Authorization") + sale;
        var captured = Sum("Capture") + sale;
        var cancelled = Sum("Cancellation");
        var reversed = Sum("Reversal");
        // A sale is captured at once: nothing of it is left to capture, whatever amount PayEx shows as remaining.
        var capturable = sale > 0 && Sum("Authorization") == 0 ? 0 : payment.RemainingCaptureAmount;
        var status = authorized == 0 && Is(payment.State, "Failed") ? PaymentStatus.Failed
            : authorized == 0 && Is(payment.State, "Aborted") ? PaymentStatus.Aborted
            : PaymentStatus.FromAmounts(authorized, captured, cancelled, reversed, capturable);

        return new PaymentSnapshot
        {
            Status = status,
            Amount = payment.Amount,
            AuthorizedAmount = authorized,
            CapturedAmount = captured,
            CancelledAmount = cancelled,
            ReversedAmount = reversed,
            RemainingCaptureAmount = payment.RemainingCaptureAmount,
            RemainingCancellationAmount = payment.RemainingCancellationAmount,
            RemainingReversalAmount = payment.RemainingReversalAmount,
            Currency = payment.Currency,
            Instrument = payment.Instrument,
            OrderReference = payment.OrderReference,
            PayeeReference = payment.PayeeReference,
            PaymentOrder = paymentOrder,
            Payment = payment.ResourceId,
            Number = payment.Number,
            Updated = payment.Updated,
        };
    }

    private static bool Is(string? value, string expected) => string.Equals(value, expected, StringComparison.OrdinalIgnoreCase);

    // An expanded sub-resource of this order; a reference ({"id": ...} only) or another order's reads as absent.
    private static JsonElement? Own(JsonElement order, string name, PayExPath path) =>
        PayExJson.Child(order, name) is { } node
            && (PayExJson.Text(node, "id") is not { } id || id.StartsWith(path.Value + "/", StringComparison.OrdinalIgnoreCase))
            && node.EnumerateObject().Any(p => p.Name != "id")
            ? node
            : null;
}
