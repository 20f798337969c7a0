using System.Text.Json.Nodes;

namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>The body PayEx POSTs to the callbackUrl after a step, in the shape of the payment's generation.</summary>
public static class LifeCallbacks
{
    public static JsonObject For(PaymentLife life, LifeTransaction? transaction) => life.Generation switch
    {
        Generation.V1 => Nested(life, transaction, new JsonObject()),
        Generation.V31 => V31(life, transaction),
        _ => Nested(life, transaction, WithPaymentOrder(life, new JsonObject { ["id"] = life.OrderPath, ["instrument"] = "paymentorders" })),
    };

    // v1, v2 and v3.0 name the payment and, where the step made one, its transaction by its typed path.
    private static JsonObject Nested(PaymentLife life, LifeTransaction? transaction, JsonObject callback)
    {
        callback["payment"] = new JsonObject { ["id"] = life.PaymentPath, ["number"] = life.PaymentNumber };
        if (transaction is not null)
        {
            callback["transaction"] = new JsonObject { ["id"] = LifePaths.TypedPath(life, transaction), ["number"] = transaction.Number };
        }

        return callback;
    }

    // v3.1 names the payment order only, with the number of the transaction or attempt the step made.
    private static JsonObject V31(PaymentLife life, LifeTransaction? transaction)
    {
        var order = new JsonObject { ["id"] = life.OrderPath, ["instrument"] = life.InstrumentName };
        if (transaction is not null)
        {
            order["number"] = transaction.Number;
        }

        return WithPaymentOrder(life, order);
    }

    // The orderReference comes first, when the merchant set one, as in PayEx's examples.
    private static JsonObject WithPaymentOrder(PaymentLife life, JsonObject order)
    {
        var callback = new JsonObject();
        if (life.OrderReference is { } orderReference)
        {
            callback["orderReference"] = orderReference;
        }

        callback["paymentOrder"] = order;
        return callback;
    }
}
