namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>Where PayEx serves a scripted payment's transactions: typed, generic, or as a payment order's financial transaction.</summary>
public static class LifePaths
{
    /// <summary>The typed collection, its item and its list's member, per transaction type: captures, capture, captureList.</summary>
    public static (string Collection, string Item, string List) Typed(string type) => type switch
    {
        "Authorization" => ("authorizations", "authorization", "authorizationList"),
        "Capture" => ("captures", "capture", "captureList"),
        "Cancellation" => ("cancellations", "cancellation", "cancellationList"),
        "Reversal" => ("reversals", "reversal", "reversalList"),
        _ => ("sales", "sale", "saleList"),
    };

    public static readonly string[] TypedCollections = ["authorizations", "captures", "cancellations", "reversals", "sales"];

    public static string Generic(PaymentLife life, LifeTransaction transaction) => $"{life.PaymentPath}/transactions/{transaction.Id:D}";

    public static string TypedPath(PaymentLife life, LifeTransaction transaction) => $"{life.PaymentPath}/{Typed(transaction.Type).Collection}/{transaction.Id:D}";

    public static string FinancialTransaction(PaymentLife life, LifeTransaction transaction) => $"{life.OrderPath}/financialtransactions/{transaction.Id:D}";

    /// <summary>Types a payment order lists among its financial transactions (the authorization is in paid).</summary>
    public static bool IsFinancial(LifeTransaction transaction) => transaction.Completed && transaction.Type != "Authorization";

    /// <summary>
    /// The path a step's transaction is known by: the typed path where there is a payment (as
    /// nested callbacks name it), else the v3.1 financial transaction; null where there is neither.
    /// </summary>
    public static string? OfTransaction(PaymentLife life, LifeTransaction? transaction) => transaction switch
    {
        null => null,
        _ when life.PaymentPath is not null => TypedPath(life, transaction),
        _ when IsFinancial(transaction) => FinancialTransaction(life, transaction),
        _ => null,
    };
}
