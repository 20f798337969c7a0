using System.Text.Json.Nodes;

namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>
/// A payment order as Checkout v3.0 and v3.1 serve it: a <c>status</c>, and its sub-resources
/// (<c>paid</c>, <c>cancelled</c>, <c>reversed</c>, <c>financialTransactions</c>, ...) as links
/// unless <c>$expand</c> names them, and at <c>{order}/{name}</c>. The <c>operations</c> offer
/// capture, cancel and reversal only while PayEx allows them.
/// </summary>
public static class V3PaymentOrderDocuments
{
    // Member name in the order, and the path segment (and $expand name) PayEx gives it.
    private static readonly (string Member, string Segment)[] SubResources =
    [
        ("history", "history"),
        ("failed", "failed"),
        ("aborted", "aborted"),
        ("paid", "paid"),
        ("cancelled", "cancelled"),
        ("reversed", "reversed"),
        ("financialTransactions", "financialtransactions"),
        ("failedAttempts", "failedattempts"),
        ("postPurchaseFailedAttempts", "postpurchasefailedattempts"),
    ];

    public static JsonObject? Get(PaymentLife life, string[] rest, HashSet<string> expand)
    {
        if (rest is [])
        {
            return new JsonObject { ["paymentOrder"] = Order(life, expand), ["operations"] = Operations(life) };
        }

        if (rest is ["payeeinfo"])
        {
            return new JsonObject { ["paymentOrder"] = life.OrderPath, ["payeeInfo"] = LifeJson.PayeeInfo(life, life.OrderPath!) };
        }

        return rest is [var segment] && SubResources.FirstOrDefault(s => s.Segment == segment) is { Member: { } member, Segment: { } name }
            ? new JsonObject { ["paymentOrder"] = life.OrderPath, [member] = V3SubResources.Content(life, name) }
            : null;
    }

    private static JsonObject Order(PaymentLife life, HashSet<string> expand)
    {
        var path = life.OrderPath!;
        var order = new JsonObject
        {
            ["id"] = path,
            ["created"] = LifeJson.Time(life.Created),
            ["updated"] = LifeJson.Time(life.Updated),
            ["operation"] = "Purchase",
            ["status"] = life.OrderStatus,
            ["currency"] = life.Currency,
            ["amount"] = life.Amount,
            ["vatAmount"] = 0,
        };

        // Present once the order is paid (the documented examples after a capture show zeros too).
        if (life.Paid is not null)
        {
            order["remainingCaptureAmount"] = life.RemainingCapture;
            order["remainingCancellationAmount"] = life.RemainingCancellation;
            order["remainingReversalAmount"] = life.RemainingReversal;
        }

        order["description"] = "Purchase";
        order["initiatingSystemUserAgent"] = LifeJson.UserAgent;
        order["language"] = "sv-SE";
        order["availableInstruments"] = new JsonArray("CreditCard", "Swish", "Trustly", "Vipps", "MobilePay", "Invoice-PayExFinancingSe");
        order["implementation"] = "PaymentsOnly";
        order["integration"] = life.Paid is null && life.Ended is null ? "" : "Redirect";
        order["instrumentMode"] = false;
        order["guestMode"] = true;
        if (life.OrderReference is { } orderReference)
        {
            order["orderReference"] = orderReference;
        }

        order["orderItems"] = LifeJson.Link($"{path}/orderitems");
        order["urls"] = LifeJson.Link($"{path}/urls");
        order["payeeInfo"] = expand.Contains("payeeinfo") ? LifeJson.PayeeInfo(life, path) : LifeJson.Link($"{path}/payeeinfo");
        order["payer"] = LifeJson.Link($"{path}/payers");
        foreach (var (member, segment) in SubResources)
        {
            order[member] = expand.Contains(segment) ? V3SubResources.Content(life, segment) : LifeJson.Link($"{path}/{segment}");
        }

        order["metadata"] = LifeJson.Link($"{path}/metadata");
        return order;
    }

    private static JsonArray Operations(PaymentLife life)
    {
        var path = LifeJson.ApiHost + life.OrderPath;
        var operations = new JsonArray();
        if (life.Ended is not null)
        {
            return operations;
        }

        if (life.Paid is null)
        {
            operations.Add(LifeJson.Operation("PATCH", path, "update-order"));
            operations.Add(LifeJson.Operation("PATCH", path, "abort"));
            operations.Add(LifeJson.Operation("GET", $"{LifeJson.FrontEndHost}/checkout/{life.OrderId:N}", "redirect-checkout", "text/html"));
            operations.Add(LifeJson.Operation("GET", $"{LifeJson.FrontEndHost}/checkout/client/{life.OrderId:N}", "view-checkout", "application/javascript"));
            return operations;
        }

        LifeJson.AddMoneyOperations(operations, life, path, "cancel", "capture", "reversal");

        return operations;
    }
}
