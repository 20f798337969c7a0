using System.Text.Json.Nodes;

namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>
/// A payment as the v1 payment instruments serve it (also the payment under a v2 or v3.0 payment
/// order): the payment with its remaining amounts (omitted when zero, as PayEx does), its transaction
/// list, and each transaction at its generic and its typed path.
/// </summary>
public static class V1PaymentDocuments
{
    /// <summary>The document at <c>{payment}/{rest}</c>, or null where PayEx has none.</summary>
    public static JsonObject? Get(PaymentLife life, string[] rest, HashSet<string> expand) => rest switch
    {
        [] => new JsonObject { ["payment"] = Payment(life, expand), ["operations"] = Operations(life) },
        ["transactions"] => new JsonObject { ["payment"] = life.PaymentPath, ["transactions"] = TransactionList(life) },
        ["transactions", var id] => Transaction(life, id) is { } t
            ? new JsonObject { ["payment"] = life.PaymentPath, ["transaction"] = TransactionBody(life, t) }
            : null,
        [var collection] when LifePaths.TypedCollections.Contains(collection) =>
            new JsonObject { ["payment"] = life.PaymentPath, [collection] = TypedList(life, collection) },
        [var collection, var id] when Transaction(life, id) is { } t && LifePaths.Typed(t.Type).Collection == collection =>
            new JsonObject { ["payment"] = life.PaymentPath, [LifePaths.Typed(t.Type).Item] = Typed(life, t) },
        ["payeeinfo"] => new JsonObject { ["payment"] = life.PaymentPath, ["payeeInfo"] = LifeJson.PayeeInfo(life, life.PaymentPath!) },
        _ => null,
    };

    public static JsonObject Payment(PaymentLife life, HashSet<string> expand)
    {
        var path = life.PaymentPath!;
        var payment = new JsonObject
        {
            ["id"] = path,
            ["number"] = life.PaymentNumber,
            ["created"] = LifeJson.Time(life.Created),
            ["updated"] = LifeJson.Time(life.Updated),
            ["instrument"] = life.InstrumentName,
            ["operation"] = "Purchase",
            ["intent"] = life.Intent,
            ["state"] = life.PaymentState,
            ["currency"] = life.Currency,
            ["prices"] = LifeJson.Link($"{path}/prices"),
            ["amount"] = life.Amount,
        };
        AddIfNotZero(payment, "remainingCaptureAmount", life.RemainingCapture);
        AddIfNotZero(payment, "remainingCancellationAmount", life.RemainingCancellation);
        AddIfNotZero(payment, "remainingReversalAmount", life.RemainingReversal);
        payment["description"] = "Purchase";
        payment["payeeReference"] = life.PayeeReference;
        if (life.OrderReference is { } orderReference)
        {
            payment["orderReference"] = orderReference;
        }

        payment["initiatingSystemUserAgent"] = LifeJson.UserAgent;
        payment["userAgent"] = "Mozilla/5.0";
        payment["language"] = "sv-SE";
        payment["transactions"] = expand.Contains("transactions") ? TransactionList(life) : LifeJson.Link($"{path}/transactions");
        foreach (var collection in LifePaths.TypedCollections)
        {
            payment[collection] = expand.Contains(collection) ? TypedList(life, collection) : LifeJson.Link($"{path}/{collection}");
        }

        payment["urls"] = LifeJson.Link($"{path}/urls");
        payment["payeeInfo"] = expand.Contains("payeeinfo") ? LifeJson.PayeeInfo(life, path) : LifeJson.Link($"{path}/payeeinfo");
        payment["metadata"] = LifeJson.Link($"{path}/metadata");
        return payment;
    }

    private static JsonArray Operations(PaymentLife life)
    {
        var path = LifeJson.ApiHost + life.PaymentPath;
        var operations = new JsonArray();
        if (life.Ended is not null)
        {
            return operations;
        }

        if (life.Paid is null)
        {
            operations.Add(LifeJson.Operation("PATCH", path, "update-payment-abort"));
            operations.Add(LifeJson.Operation("GET", $"{LifeJson.FrontEndHost}/{life.Instrument}/payments/{life.PaymentId:N}", $"redirect-{(life.Intent == "Sale" ? "sale" : "authorization")}", "text/html"));
            return operations;
        }

        LifeJson.AddMoneyOperations(operations, life, path, "create-cancellation", "create-capture", "create-reversal");

        operations.Add(LifeJson.Operation("GET", $"{path}/paid", "paid-payment"));
        return operations;
    }

    private static JsonObject TransactionList(PaymentLife life) => new()
    {
        ["id"] = $"{life.PaymentPath}/transactions",
        ["transactionList"] = new JsonArray([.. life.Transactions.Select(t => (JsonNode)TransactionBody(life, t))]),
    };

    private static JsonObject TypedList(PaymentLife life, string collection)
    {
        var (_, _, list) = LifePaths.Typed(TypeOf(collection));
        return new JsonObject
        {
            ["id"] = $"{life.PaymentPath}/{collection}",
            [list] = new JsonArray([.. life.Transactions.Where(t => LifePaths.Typed(t.Type).Collection == collection).Select(t => (JsonNode)Typed(life, t))]),
        };
    }

    private static JsonObject Typed(PaymentLife life, LifeTransaction transaction) => new()
    {
        ["id"] = LifePaths.TypedPath(life, transaction),
        ["transaction"] = TransactionBody(life, transaction),
    };

    private static JsonObject TransactionBody(PaymentLife life, LifeTransaction transaction)
    {
        var body = new JsonObject
        {
            ["id"] = LifePaths.Generic(life, transaction),
            ["created"] = LifeJson.Time(transaction.Created),
            ["updated"] = LifeJson.Time(transaction.Updated),
            ["type"] = transaction.Type,
            ["state"] = transaction.State,
            ["number"] = transaction.Number,
            ["amount"] = transaction.Amount,
            ["vatAmount"] = 0,
            ["description"] = transaction.Type,
            ["payeeReference"] = transaction.PayeeReference,
        };
        if (!transaction.Completed)
        {
            body["failedReason"] = "ExternalResponseError";
            body["failedActivityName"] = transaction.Type == "Sale" ? "Sale" : "Authorize";
            body["failedErrorCode"] = "REJECTED_BY_ACQUIRER";
            body["failedErrorDescription"] = "General decline, response-code: 05";
        }

        body["isOperational"] = false;
        body["operations"] = new JsonArray();
        return body;
    }

    private static LifeTransaction? Transaction(PaymentLife life, string id) =>
        Guid.TryParseExact(id, "D", out var guid) ? life.Find(guid) : null;

    private static string TypeOf(string collection) => collection switch
    {
        "authorizations" => "Authorization",
        "captures" => "Capture",
        "cancellations" => "Cancellation",
        "reversals" => "Reversal",
        _ => "Sale",
    };

    private static void AddIfNotZero(JsonObject payment, string name, long amount)
    {
        if (amount != 0)
        {
            payment[name] = amount;
        }
    }
}
