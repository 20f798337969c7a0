using System.Text.Json.Nodes;

namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>
/// The content of a v3.x payment order's sub-resources, expanded inline or served at
/// <c>{order}/{name}</c>: <c>paid</c> once paid; <c>cancelled</c> and <c>reversed</c> once the
/// status says so; the lists always (empty until something is in them); otherwise only the id.
/// </summary>
public static class V3SubResources
{
    public static JsonObject Content(PaymentLife life, string segment)
    {
        var content = LifeJson.Link($"{life.OrderPath}/{segment}");
        switch (segment)
        {
            case "paid" when life.Paid is { } paid:
                Outcome(content, life, paid, paid.Type, paid.Amount);
                break;
            case "cancelled" when life.OrderStatus == "Cancelled":
                Outcome(content, life, life.Last("Cancellation")!, "Cancellation", life.CancelledAmount);
                break;
            case "reversed" when life.OrderStatus == "Reversed":
                Outcome(content, life, life.Last("Reversal")!, "Reversal", life.ReversedAmount);
                break;
            case "failed" when life.Ended == "Failed":
                content["problem"] = new JsonObject
                {
                    ["type"] = "https://api.payex.com/psp/errordetail/creditcard/acquirererror",
                    ["title"] = "Operation failed",
                    ["status"] = 403,
                    ["detail"] = "Unable to complete Authorization transaction, look at problem node!",
                    ["problems"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "ExternalResponse",
                        ["description"] = "REJECTED_BY_ACQUIRER-General decline, response-code: 05",
                    }),
                };
                break;
            case "aborted" when life.Ended == "Aborted":
                content["abortReason"] = "Payment aborted by payer";
                break;
            case "financialtransactions":
                content["financialTransactionsList"] = new JsonArray([.. life.Transactions.Where(LifePaths.IsFinancial).Select(t => (JsonNode)Financial(life, t))]);
                break;
            case "failedattempts":
                content["failedAttemptList"] = new JsonArray([.. life.Transactions.Where(t => !t.Completed).Select(t => (JsonNode)FailedAttempt(life, t))]);
                break;
            case "postpurchasefailedattempts":
                content["postPurchaseFailedAttemptList"] = new JsonArray();
                break;
            case "history":
                content["historyList"] = History(life);
                break;
        }

        return content;
    }

    private static void Outcome(JsonObject content, PaymentLife life, LifeTransaction transaction, string type, long amount)
    {
        content["number"] = transaction.Number;
        content["instrument"] = life.InstrumentName;
        content["payeeReference"] = transaction.PayeeReference;
        if (life.OrderReference is { } orderReference)
        {
            content["orderReference"] = orderReference;
        }

        content["transactionType"] = type;
        content["amount"] = amount;
        content["submittedAmount"] = amount;
        content["feeAmount"] = 0;
        content["discountAmount"] = 0;
    }

    private static JsonObject Financial(PaymentLife life, LifeTransaction transaction)
    {
        var path = LifePaths.FinancialTransaction(life, transaction);
        return new JsonObject
        {
            ["id"] = path,
            ["created"] = LifeJson.Time(transaction.Created),
            ["updated"] = LifeJson.Time(transaction.Updated),
            ["type"] = transaction.Type,
            ["number"] = transaction.Number,
            ["amount"] = transaction.Amount,
            ["vatAmount"] = 0,
            ["description"] = transaction.Type,
            ["payeeReference"] = transaction.PayeeReference,
            ["orderItems"] = LifeJson.Link($"{path}/orderitems"),
        };
    }

    private static JsonObject FailedAttempt(PaymentLife life, LifeTransaction transaction) => new()
    {
        ["created"] = LifeJson.Time(transaction.Created),
        ["instrument"] = life.InstrumentName,
        ["number"] = transaction.Number,
        ["status"] = "Failed",
        ["transactionType"] = transaction.Type,
        ["amount"] = transaction.Amount,
    };

    // Display only, PayEx says: enough for a person to follow the steps.
    private static JsonArray History(PaymentLife life)
    {
        var list = new JsonArray(Event(life.Created, "PaymentCreated", "Merchant"));
        foreach (var t in life.Transactions)
        {
            var name = (t.Type, t.Completed) switch
            {
                (_, false) => "PaymentAttemptFailed",
                ("Authorization" or "Sale", _) => "PaymentPaid",
                ("Capture", _) => "PaymentCaptured",
                ("Cancellation", _) => "PaymentCancelled",
                _ => "PaymentReversed",
            };
            list.Add(Event(t.Created, name, t.Type is "Authorization" or "Sale" ? "Payer" : "Merchant"));
        }

        if (life.Ended == "Aborted")
        {
            list.Add(Event(life.Updated, "PaymentAborted", "Merchant"));
        }

        return list;
    }

    private static JsonObject Event(DateTimeOffset at, string name, string initiatedBy) => new()
    {
        ["created"] = LifeJson.Time(at),
        ["name"] = name,
        ["initiatedBy"] = initiatedBy,
    };
}
