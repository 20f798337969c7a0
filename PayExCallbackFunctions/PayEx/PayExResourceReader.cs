using System.Text;
using System.Text.Json;

namespace PayExCallbackFunctions.PayEx;

/// <summary>
/// Reads PayEx GET responses. Each response must be the resource that was asked for; anything else
/// (another id, another payment, a missing body) is a <see cref="PayExResourceException"/>.
/// </summary>
public static class PayExResourceReader
{
    /// <summary>Sub-resources a v3.x payment order is read with, so the callback's attempt can be found.</summary>
    public const string PaymentOrderExpand = "paid,cancelled,reversed,failedattempts,financialtransactions";

    // A repeated property would be read last-wins: what PayEx meant is then unknown, as with the callback.
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    public static PayExResource ReadPayment(byte[] body, PayExPath expected)
    {
        using var document = Parse(body, expected);
        var payment = RequireObject(document.RootElement, "payment", expected);
        RequireSame(payment, expected);
        return new PayExResource($"payment-{expected.Id:D}", expected.Value, Encoding.UTF8.GetString(body))
        {
            Number = Long(payment, "number"),
            State = String(payment, "state"),
            Type = String(payment, "intent"),
            Amount = Long(payment, "amount"),
            Currency = String(payment, "currency"),
            Updated = Date(payment, "updated"),
            Instrument = String(payment, "instrument") ?? expected.Instrument,
            PayeeReference = String(payment, "payeeReference") ?? PayeeInfo(payment, "payeeReference"),
            OrderReference = String(payment, "orderReference") ?? PayeeInfo(payment, "orderReference"),
            MerchantReferences = MerchantReferences(payment),
            RemainingCaptureAmount = Long(payment, "remainingCaptureAmount"),
            RemainingCancellationAmount = Long(payment, "remainingCancellationAmount"),
            RemainingReversalAmount = Long(payment, "remainingReversalAmount"),
            Transactions = TransactionsOf(payment, expected),
        };
    }

    // "transactions": {"id": ".../transactions", "transactionList": [...]}, when expanded. Each counted by its
    // id, which PayEx gives generic here and typed (/captures/...) elsewhere.
    private static Payments.TransactionFact[] TransactionsOf(JsonElement payment, PayExPath expected) =>
        PayExJson.Child(payment, "transactions") is { } transactions
            ? Items(transactions, "transactionList")
                .Select(t => PayExPath.TryParseRelative(String(t, "id"), out var path, out _) && path.Kind == PayExResourceKind.Transaction && path.PaymentPath == expected.Value
                    ? new Payments.TransactionFact(path.Id.ToString("D"), String(t, "type"), String(t, "state"), Long(t, "amount"))
                    : null)
                .OfType<Payments.TransactionFact>()
                .ToArray()
            : [];

    /// <summary>Reads a generic (/transactions/) or typed (/captures/ ...) transaction.</summary>
    public static PayExResource ReadTransaction(byte[] body, PayExPath expected, string? currency)
    {
        using var document = Parse(body, expected);
        var root = document.RootElement;
        if (!root.TryGetProperty("payment", out var payment) || payment.ValueKind != JsonValueKind.String
            || !PayExPath.TryParseRelative(payment.GetString(), out var paymentPath, out _)
            || paymentPath.Value != expected.PaymentPath)
        {
            throw new PayExResourceException($"GET {expected} did not answer with a transaction of payment {expected.PaymentPath}.");
        }

        var transaction = FindTransaction(root)
            ?? throw new PayExResourceException($"GET {expected} answered without a transaction.");
        if (!transaction.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
            || !PayExPath.TryParseRelative(id.GetString(), out var transactionPath, out _)
            || transactionPath.Kind != PayExResourceKind.Transaction || transactionPath.Id != expected.Id)
        {
            throw new PayExResourceException($"GET {expected} answered with another transaction.");
        }

        return new PayExResource($"transaction-{expected.Id:D}", expected.Value, Encoding.UTF8.GetString(body))
        {
            Number = Long(transaction, "number"),
            State = String(transaction, "state"),
            Type = String(transaction, "type"),
            Amount = Long(transaction, "amount"),
            Currency = currency,
            Updated = Date(transaction, "updated"),
            Instrument = expected.Instrument,
            PayeeReference = String(transaction, "payeeReference"),
            Transactions = [new Payments.TransactionFact(expected.Id.ToString("D"), String(transaction, "type"), String(transaction, "state"), Long(transaction, "amount"))],
        };
    }

    /// <summary>
    /// Reads a payment order; where <paramref name="attemptNumber"/> is given (v3.1 callbacks), also
    /// the transaction or attempt of that number, from the expanded sub-resources.
    /// </summary>
    public static IReadOnlyList<PayExResource> ReadPaymentOrder(byte[] body, PayExPath expected, long? attemptNumber)
    {
        using var document = Parse(body, expected);
        var order = PaymentOrderOf(document.RootElement, expected);
        RequireSame(order, expected);
        var currency = String(order, "currency");
        var paymentOrder = new PayExResource("paymentorder", expected.Value, Encoding.UTF8.GetString(body))
        {
            // v3.x names it status; v2 named it state.
            State = String(order, "status") ?? String(order, "state"),
            Amount = Long(order, "amount"),
            Currency = currency,
            Updated = Date(order, "updated"),
            Instrument = String(order, "instrument"),
            PayeeReference = String(order, "payeeReference") ?? PayeeInfo(order, "payeeReference"),
            OrderReference = String(order, "orderReference") ?? PayeeInfo(order, "orderReference"),
            MerchantReferences = MerchantReferences(order),
            Payments = PaymentsOf(order),
            RemainingCaptureAmount = Long(order, "remainingCaptureAmount"),
            RemainingCancellationAmount = Long(order, "remainingCancellationAmount"),
            RemainingReversalAmount = Long(order, "remainingReversalAmount"),
            Snapshot = Payments.StatusDerivation.FromPaymentOrder(order, expected),
        };

        return attemptNumber is { } number && FindAttempt(order, number, expected, currency) is { } attempt
            ? [paymentOrder, attempt]
            : [paymentOrder];
    }

    // The callback's number is documented only as "the attempt number which triggered the
    // callback"; PayEx's examples show it among the financial transactions, the failed attempts,
    // or as the number of the paid/cancelled/reversed sub-resource. Look in that order.
    private static PayExResource? FindAttempt(JsonElement order, long number, PayExPath expected, string? currency)
    {
        if (order.TryGetProperty("financialTransactions", out var financial) && financial.ValueKind == JsonValueKind.Object)
        {
            foreach (var item in Items(financial, "financialTransactionsList", "financialTransactionList"))
            {
                if (Long(item, "number") == number
                    && String(item, "id") is { } id
                    && PayExPathOfFinancialTransaction(id, expected) is { } transactionId)
                {
                    return new PayExResource($"transaction-{transactionId:D}", id, item.GetRawText())
                    {
                        Number = number,
                        // PayEx lists only transactions that have gone through.
                        State = "Completed",
                        Type = String(item, "type"),
                        Amount = Long(item, "amount"),
                        Currency = currency,
                        Updated = Date(item, "updated"),
                        PayeeReference = String(item, "payeeReference"),
                    };
                }
            }
        }

        if (order.TryGetProperty("failedAttempts", out var failed) && failed.ValueKind == JsonValueKind.Object)
        {
            foreach (var item in Items(failed, "failedAttemptList", "failedAttemptsList"))
            {
                if (Long(item, "number") == number)
                {
                    return new PayExResource($"attempt-{number}", $"{expected.Value}/failedattempts", item.GetRawText())
                    {
                        Number = number,
                        State = String(item, "status"),
                        Type = "Attempt",
                        Currency = currency,
                        Updated = Date(item, "created"),
                        Instrument = String(item, "instrument"),
                    };
                }
            }
        }

        foreach (var (member, state) in new[] { ("paid", "Paid"), ("cancelled", "Cancelled"), ("reversed", "Reversed") })
        {
            if (order.TryGetProperty(member, out var node) && node.ValueKind == JsonValueKind.Object && Long(node, "number") == number)
            {
                return new PayExResource($"attempt-{number}", $"{expected.Value}/{member}", node.GetRawText())
                {
                    Number = number,
                    State = state,
                    Type = String(node, "transactionType"),
                    Amount = Long(node, "amount"),
                    Currency = currency,
                    Instrument = String(node, "instrument"),
                    PayeeReference = String(node, "payeeReference"),
                    OrderReference = String(node, "orderReference"),
                };
            }
        }

        return null;
    }

    private static Guid? PayExPathOfFinancialTransaction(string id, PayExPath order)
    {
        // /psp/paymentorders/{order}/financialtransactions/{guid}
        var prefix = $"{order.Value}/financialtransactions/";
        return id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && Guid.TryParseExact(id[prefix.Length..], "D", out var guid)
            ? guid
            : null;
    }

    private static JsonElement[] Items(JsonElement parent, params string[] names) => PayExJson.Items(parent, names);

    private static JsonElement? FindTransaction(JsonElement root)
    {
        if (root.TryGetProperty("transaction", out var generic) && generic.ValueKind == JsonValueKind.Object)
        {
            return generic;
        }

        // Typed: {"payment": ..., "capture": {"id": ..., "transaction": {...}}}
        foreach (var property in root.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Object
                && property.Value.TryGetProperty("transaction", out var typed)
                && typed.ValueKind == JsonValueKind.Object)
            {
                return typed;
            }
        }

        return null;
    }

    private static JsonDocument Parse(byte[] body, PayExPath expected)
    {
        // Such a string can be neither read as text nor stored.
        if (HoldsLoneSurrogate(body))
        {
            throw new PayExResourceException($"GET {expected} answered with JSON text that is not valid Unicode (an escaped lone surrogate).");
        }

        try
        {
            return JsonDocument.Parse(body, Options);
        }
        catch (JsonException e)
        {
            throw new PayExResourceException(
                RepeatsAProperty(body) ? $"GET {expected} answered with JSON that repeats a property." : $"GET {expected} answered with something that is not JSON.",
                e);
        }
    }

    // Raw UTF-8 is validated by the parser; only an escape (\ud800) can hold a lone surrogate.
    private static bool HoldsLoneSurrogate(byte[] body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = Options.MaxDepth });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                {
                    reader.GetString();
                }
            }
        }
        catch (InvalidOperationException)
        {
            return true;
        }
        catch (JsonException)
        {
            // Not JSON: Parse says so.
        }

        return false;
    }

    private static bool RepeatsAProperty(byte[] body)
    {
        try
        {
            using var lenient = JsonDocument.Parse(body, Options with { AllowDuplicateProperties = true });
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // v3.x names the root paymentOrder; PayEx's v2 documentation names it paymentorder. Exactly those two, and one of them.
    private static JsonElement PaymentOrderOf(JsonElement root, PayExPath expected)
    {
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("paymentOrder", out _) && root.TryGetProperty("paymentorder", out _))
        {
            throw new PayExResourceException($"GET {expected} answered with both a paymentOrder and a paymentorder.");
        }

        return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("paymentorder", out var v2) && v2.ValueKind == JsonValueKind.Object
            ? v2
            : RequireObject(root, "paymentOrder", expected);
    }

    private static JsonElement RequireObject(JsonElement root, string name, PayExPath expected) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw new PayExResourceException($"GET {expected} answered without a {name}.");

    private static void RequireSame(JsonElement resource, PayExPath expected)
    {
        if (!resource.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
            || !PayExPath.TryParseRelative(id.GetString(), out var actual, out _)
            || actual.Value != expected.Value)
        {
            throw new PayExResourceException($"GET {expected} answered with another resource.");
        }
    }

    // payeeInfo is a sub-resource: inline only when asked for with $expand=payeeinfo.
    private static string? PayeeInfo(JsonElement resource, string name) =>
        resource.TryGetProperty("payeeInfo", out var info) && info.ValueKind == JsonValueKind.Object ? String(info, name) : null;

    // "payments": {"id": ".../payments", "paymentList": [{"id": "/psp/creditcard/payments/{guid}", ...}]}, when expanded.
    private static string[] PaymentsOf(JsonElement order) =>
        order.TryGetProperty("payments", out var payments) && payments.ValueKind == JsonValueKind.Object
            ? Items(payments, "paymentList")
                .Select(p => PayExPath.TryParseRelative(String(p, "id"), out var path, out _) && path.Kind == PayExResourceKind.Payment ? path.Value : null)
                .OfType<string>()
                .ToArray()
            : [];

    private static string[] MerchantReferences(JsonElement resource) =>
        new[] { String(resource, "payeeReference"), String(resource, "orderReference"), PayeeInfo(resource, "payeeReference"), PayeeInfo(resource, "orderReference") }
            .OfType<string>()
            .Where(r => r.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToArray();

    private static string? String(JsonElement element, string name) => PayExJson.Text(element, name);

    private static long? Long(JsonElement element, string name) => PayExJson.Number(element, name);

    private static DateTimeOffset? Date(JsonElement element, string name) => PayExJson.Time(element, name);
}
