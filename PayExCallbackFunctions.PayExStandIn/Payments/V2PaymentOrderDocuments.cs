using System.Text.Json.Nodes;

namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>
/// A payment order as Checkout v2 and the Payment Menu serve it: a <c>state</c> (Ready, Failed,
/// Aborted) rather than a status, the three remaining amounts always present, and its payment behind
/// <c>payments</c> and <c>currentPayment</c>. PayEx's v2 documentation names the root member
/// <c>paymentorder</c>, in lower case, and so does the stand-in.
/// </summary>
public static class V2PaymentOrderDocuments
{
    private const string Root = "paymentorder";

    public static JsonObject? Get(PaymentLife life, string[] rest, HashSet<string> expand) => rest switch
    {
        [] => new JsonObject { [Root] = Order(life, expand), ["operations"] = Operations(life) },
        ["payments"] => new JsonObject { [Root] = life.OrderPath, ["payments"] = Payments(life) },
        ["currentpayment"] => new JsonObject
        {
            [Root] = life.OrderPath,
            ["menuElementName"] = life.PaymentId is null ? null : life.Instrument,
            ["payment"] = life.PaymentId is null ? null : V1PaymentDocuments.Payment(life, []),
        },
        ["payeeinfo"] => new JsonObject { [Root] = life.OrderPath, ["payeeInfo"] = LifeJson.PayeeInfo(life, life.OrderPath!) },
        _ => null,
    };

    private static JsonObject Order(PaymentLife life, HashSet<string> expand)
    {
        var path = life.OrderPath!;
        var order = new JsonObject
        {
            ["id"] = path,
            ["created"] = LifeJson.Time(life.Created),
            ["updated"] = LifeJson.Time(life.Updated),
            ["operation"] = "Purchase",
            ["state"] = life.PaymentState,
            ["currency"] = life.Currency,
            ["amount"] = life.Amount,
            ["vatAmount"] = 0,
            ["remainingCaptureAmount"] = life.RemainingCapture,
            ["remainingCancellationAmount"] = life.RemainingCancellation,
            ["remainingReversalAmount"] = life.RemainingReversal,
            ["description"] = "Purchase",
            ["initiatingSystemUserAgent"] = LifeJson.UserAgent,
            ["userAgent"] = "Mozilla/5.0",
            ["language"] = "sv-SE",
        };
        if (life.OrderReference is { } orderReference)
        {
            order["orderReference"] = orderReference;
        }

        order["urls"] = LifeJson.Link($"{path}/urls");
        order["payeeInfo"] = expand.Contains("payeeinfo") ? LifeJson.PayeeInfo(life, path) : LifeJson.Link($"{path}/payeeinfo");
        order["payers"] = LifeJson.Link($"{path}/payers");
        order["orderItems"] = LifeJson.Link($"{path}/orderItems");
        order["metadata"] = LifeJson.Link($"{path}/metadata");
        order["payments"] = expand.Contains("payments") ? Payments(life) : LifeJson.Link($"{path}/payments");
        order["currentPayment"] = LifeJson.Link($"{path}/currentpayment");
        return order;
    }

    private static JsonObject Payments(PaymentLife life)
    {
        var list = new JsonArray();
        if (life.PaymentPath is { } payment)
        {
            list.Add(new JsonObject { ["id"] = payment, ["instrument"] = life.InstrumentName, ["created"] = LifeJson.Time(life.Created) });
        }

        return new JsonObject { ["id"] = $"{life.OrderPath}/payments", ["paymentList"] = list };
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
            operations.Add(LifeJson.Operation("PATCH", path, "update-paymentorder-abort"));
            operations.Add(LifeJson.Operation("GET", $"{LifeJson.FrontEndHost}/paymentmenu/{life.OrderId:N}", "redirect-paymentorder", "text/html"));
            return operations;
        }

        LifeJson.AddMoneyOperations(operations, life, path, "create-paymentorder-cancel", "create-paymentorder-capture", "create-paymentorder-reversal");

        return operations;
    }
}
