using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Processing;

/// <summary>
/// Processes one callback: GETs from PayEx what it names (never trusting its body beyond the names)
/// and what the payment's status is derived from, and stores both. Failures escape to the caller, which
/// decides about retries. A refresh is processed as a callback that names the payment.
/// </summary>
public sealed class CallbackProcessor(
    PayExClient payEx,
    PaymentWriter writer,
    Events.EventDispatch events,
    CallbackMetrics metrics,
    IOptions<PayExOptions> options,
    IOptions<Tracking.TrackingOptions> tracking,
    ILogger<CallbackProcessor> logger)
{
    private const string PayeeInfoExpand = "payeeinfo";
    private const string PaymentsExpand = "payments";

    // A payment's status is derived from its transactions, read with it in the same GET.
    private const string TransactionsExpand = "transactions";

    public async Task<ProcessResult> ProcessAsync(CallbackEnvelope envelope, CancellationToken cancellationToken)
    {
        // The queue is not trusted more than the callback was: the names are validated again.
        var paymentOrder = Path(envelope.PaymentOrder, PayExResourceKind.PaymentOrder, "paymentOrder");
        var payment = Path(envelope.Payment, PayExResourceKind.Payment, "payment");
        var transaction = Path(envelope.Transaction, PayExResourceKind.Transaction, "transaction");
        if (paymentOrder is null && payment is null)
        {
            throw new InvalidCallbackMessageException("The envelope names neither a payment order nor a payment.");
        }

        if (transaction is not null && payment is not null && transaction.PaymentPath != payment.Value)
        {
            throw new InvalidCallbackMessageException("The envelope's transaction does not belong to its payment.");
        }

        // Independent GETs run together; the transaction waits only for the currency it lacks.
        var paymentOrderTask = paymentOrder is null ? null : GetPaymentOrderAsync(envelope, paymentOrder, cancellationToken);
        // A signed callback URL names the order: the order's owner is read with its payeeInfo to check it.
        var signedOrder = envelope.SignedOrderReference;
        var paymentTask = payment is null ? null : GetAsync(
            payment,
            signedOrder is not null ? $"{TransactionsExpand},{PayeeInfoExpand}" : TransactionsExpand,
            null,
            body => PayExResourceReader.ReadPayment(body, payment),
            cancellationToken);
        var transactionBody = transaction is null ? null : payEx.GetAsync(transaction, null, null, cancellationToken);
        var fetches = new List<Task>(3);
        if (paymentOrderTask is not null) fetches.Add(paymentOrderTask);
        if (paymentTask is not null) fetches.Add(paymentTask);
        if (transactionBody is not null) fetches.Add(transactionBody);
        await Task.WhenAll(fetches);

        var resources = new List<PayExResource>(4);
        if (paymentOrderTask is not null) resources.AddRange(paymentOrderTask.Result);
        if (paymentTask is not null) resources.Add(paymentTask.Result);
        if (transactionBody is not null)
        {
            var currency = paymentTask?.Result.Currency ?? paymentOrderTask?.Result[0].Currency;
            resources.Add(PayExResourceReader.ReadTransaction(transactionBody.Result, transaction!, currency));
        }

        if (signedOrder is not null)
        {
            // The payment order, or the payment where there is none: what the merchant created for the order.
            RequireOrder(resources[0], signedOrder);
            if (paymentOrderTask is not null && paymentTask is not null)
            {
                // A v2/v3.0 callback also names a payment, stored in the order's partition: it must be the order's too.
                RequirePaymentOfOrder(paymentTask.Result, paymentOrderTask.Result[0], signedOrder);
            }
        }

        if (envelope.Shape == CallbackShape.PaymentOrderV31 && envelope.PaymentOrderNumber is { } attempt && resources.Count == 1)
        {
            // The order's status is stored all the same; the attempt is only the detail.
            logger.LogWarning("Payment order {PaymentOrderId} shows no attempt number {AttemptNumber} among paid, cancelled, reversed, failed attempts or financial transactions", paymentOrder!.Id, attempt);
        }

        // One partition per payment: its payment order's where it has one.
        var partition = paymentOrder?.Id ?? payment!.Id;
        var (snapshot, api) = Status(envelope, paymentOrderTask?.Result[0], paymentTask?.Result, resources);
        // A callback names a payment to track (registered or not); the app's own reads are of payments tracked or not on purpose.
        var update = new PaymentUpdate(partition, resources, snapshot, api, envelope.Id)
        {
            FirstCheckAfter = envelope.Origin is null ? tracking.Value.Delays[0] : null,
            DetectedBy = envelope.Replays is not null ? "replay" : envelope.Origin?.ToString().ToLowerInvariant() ?? "callback",
        };
        var written = await writer.WriteAsync(update, cancellationToken);
        // The numbers are the scope's properties (only those the callback has); {Subject} names them in words.
        using (logger.BeginScope(CallbackSubject.Properties(envelope)))
        {
            // One "Stored ..." line per processed callback: the rows it wrote (none, where only the status moved on), or nothing.
            if (written.Written.Count > 0 || written.Change is not null)
            {
                logger.LogInformation(
                    "Stored {RowCount} rows of callback {CallbackId} ({Shape}) for {Subject}; kept {KeptCount} rows that were as new or newer",
                    written.Written.Count, envelope.Id, envelope.Shape, CallbackSubject.Describe(envelope), written.Kept.Count);
            }
            else
            {
                // A repeated or late callback: nothing to store is the normal outcome, not a failure to store.
                logger.LogInformation(
                    "Stored nothing for callback {CallbackId} ({Shape}) for {Subject}: the stored state was already current ({KeptCount} rows as new or newer)",
                    envelope.Id, envelope.Shape, CallbackSubject.Describe(envelope), written.Kept.Count);
            }

            if (written.Change is { } change)
            {
                metrics.StatusChanged(change.Row.Snapshot.Status);
                logger.LogInformation(
                    "Payment {PaymentKey} is {PaymentStatus} (version {StatusVersion}, was {PreviousStatus})",
                    partition, change.Row.Snapshot.Status, change.Row.Version, change.PreviousStatus ?? "not stored");
            }
        }

        if (written.Change is not null)
        {
            // The change is committed with its event: delivering it now is what makes it leave within a second; in the
            // background, so that no sink holds this invocation. The relay delivers what this does not.
            events.Deliver(partition, written.EventsMark);
        }

        return new ProcessResult(partition, written.Written, written.Kept, written.Change) { Status = written.Status };
    }

    // v3.1: the order with its sub-resources says it all. v2/v3.0 (read unexpanded, in the version the
    // merchant set): the payment the callback names, with its transactions. v1: the payment, with its
    // transactions and the one the callback names, which PayEx's list may not show yet.
    private static (PaymentSnapshot? Snapshot, string Api) Status(CallbackEnvelope envelope, PayExResource? order, PayExResource? payment, IReadOnlyList<PayExResource> resources)
    {
        var transactions = resources.Where(r => r.RowKey.StartsWith("transaction-", StringComparison.Ordinal)).SelectMany(r => r.Transactions);
        if (envelope.Shape == CallbackShape.PaymentOrderV31)
        {
            return (order?.Snapshot, PaymentApi.PaymentOrderV31);
        }

        if (order is not null)
        {
            var snapshot = payment is null
                ? order.Snapshot
                : StatusDerivation.FromPayment(payment, payment.Transactions.Concat(transactions), order.ResourceId) with
                {
                    OrderReference = order.OrderReference ?? payment.OrderReference,
                    PayeeReference = order.PayeeReference ?? payment.PayeeReference,
                };
            return (snapshot, PaymentApi.PaymentOrder);
        }

        return (StatusDerivation.FromPayment(payment!, payment!.Transactions.Concat(transactions)), PaymentApi.Payment);
    }

    private Task<IReadOnlyList<PayExResource>> GetPaymentOrderAsync(CallbackEnvelope envelope, PayExPath paymentOrder, CancellationToken cancellationToken)
    {
        // v3.1 callbacks name only the order and the number of the attempt; the attempt is found in
        // the order's expanded sub-resources. Older shapes name the payment and transaction too.
        var isV31 = envelope.Shape == CallbackShape.PaymentOrderV31;
        var signed = envelope.SignedOrderReference is not null;
        string?[] expand =
        [
            isV31 ? PayExResourceReader.PaymentOrderExpand : null,
            signed ? PayeeInfoExpand : null,
            signed && envelope.Payment is not null ? PaymentsExpand : null,
        ];
        return GetAsync(
            paymentOrder,
            string.Join(',', expand.OfType<string>()) is { Length: > 0 } expanded ? expanded : null,
            isV31 ? "3.1" : options.Value.PaymentOrderVersion,
            body => PayExResourceReader.ReadPaymentOrder(body, paymentOrder, isV31 ? envelope.PaymentOrderNumber : null),
            cancellationToken);
    }

    private async Task<T> GetAsync<T>(PayExPath path, string? expand, string? version, Func<byte[], T> read, CancellationToken cancellationToken) =>
        read(await payEx.GetAsync(path, expand, version, cancellationToken));

    private static void RequireOrder(PayExResource owner, string signedOrder)
    {
        if (!owner.MerchantReferences.Contains(signedOrder, StringComparer.Ordinal))
        {
            throw new SignedOrderMismatchException(owner.MerchantReferences.Count == 0
                ? $"{owner.ResourceId} shows no payeeReference or orderReference, so it cannot be checked against the order the callback URL was signed for ('{signedOrder}'). Not stored."
                : $"{owner.ResourceId} belongs to {string.Join(" / ", owner.MerchantReferences.Select(r => $"'{r}'"))}, not to the order the callback URL was signed for ('{signedOrder}'). Not stored.");
        }
    }

    private static void RequirePaymentOfOrder(PayExResource payment, PayExResource paymentOrder, string signedOrder)
    {
        if (!payment.MerchantReferences.Contains(signedOrder, StringComparer.Ordinal)
            && !paymentOrder.Payments.Contains(payment.ResourceId, StringComparer.OrdinalIgnoreCase))
        {
            throw new SignedOrderMismatchException(
                $"{payment.ResourceId} is neither listed among the payments of {paymentOrder.ResourceId} nor shows the order the callback URL was signed for ('{signedOrder}'). Not stored.");
        }
    }

    private static PayExPath? Path(string? value, PayExResourceKind kind, string member)
    {
        if (value is null)
        {
            return null;
        }

        if (!PayExPath.TryParseRelative(value, out var path, out var error) || path.Kind != kind)
        {
            throw new InvalidCallbackMessageException($"The envelope's {member} {error ?? "is of the wrong kind"}.");
        }

        return path;
    }
}

/// <summary>What processing stored: the partition, the rows written, and the rows already as new or newer.</summary>
public sealed record ProcessResult(Guid Partition, IReadOnlyList<string> Written, IReadOnlyList<string> Kept, StatusChange? Change)
{
    /// <summary>The payment's status row as stored after the write; null where no status could be derived.</summary>
    public StatusRow? Status { get; init; }
}

/// <summary>What PayEx returned does not belong to the order the callback URL was signed for: dead-lettered, not stored.</summary>
public sealed class SignedOrderMismatchException : Exception
{
    public SignedOrderMismatchException() { }

    public SignedOrderMismatchException(string message) : base(message) { }

    public SignedOrderMismatchException(string message, Exception inner) : base(message, inner) { }
}
