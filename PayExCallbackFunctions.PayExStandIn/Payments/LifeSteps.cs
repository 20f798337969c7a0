namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>What a step did: the transaction it made (null for abort), or why it was refused.</summary>
public sealed record StepOutcome(LifeTransaction? Transaction, int ErrorStatus = 0, string? Error = null)
{
    public bool Succeeded => ErrorStatus == 0;

    public static StepOutcome BadRequest(string error) => new(null, 400, error);

    public static StepOutcome Conflict(string error) => new(null, 409, error);
}

/// <summary>
/// PayEx's rules for moving a payment on: which step is allowed in which state, for how much, and
/// the transaction it makes. A refused step changes nothing.
/// </summary>
public static class LifeSteps
{
    public static readonly string[] Names = ["authorize", "pay", "capture", "cancel", "reverse", "fail", "abort"];

    public static StepOutcome Apply(PaymentLife life, string step, long? amount, DateTimeOffset at, PayExNumbers numbers)
    {
        if (!Names.Contains(step))
        {
            return StepOutcome.BadRequest($"step must be one of {string.Join(", ", Names)}.");
        }

        if (amount is <= 0)
        {
            return StepOutcome.BadRequest("amount must be positive (minor units).");
        }

        if (life.Ended is { } ended)
        {
            return StepOutcome.Conflict($"The payment is {ended}: no step is allowed after it.");
        }

        var refusal = step switch
        {
            "authorize" or "pay" or "fail" or "abort" when life.Paid is not null => $"The payment is already paid ({life.Paid.Type}).",
            "authorize" when life.Intent == "Sale" => "The intent is Sale: use pay.",
            "authorize" or "pay" when amount is { } a && a != life.Amount => $"{step} takes the payment's whole amount, {life.Amount}.",
            "capture" when life.Paid is not { Type: "Authorization" } => "Nothing is authorized to capture.",
            "cancel" when life.Paid is not { Type: "Authorization" } => "Nothing is authorized to cancel.",
            "capture" => Exceeds(amount, life.RemainingCapture, "capture"),
            "cancel" => Exceeds(amount, life.RemainingCancellation, "cancellation"),
            "reverse" => Exceeds(amount, life.RemainingReversal, "reversal"),
            _ => null,
        };
        if (refusal is not null)
        {
            return StepOutcome.Conflict(refusal);
        }

        var paidType = life.Intent == "Sale" ? "Sale" : "Authorization";
        var (type, state, sum) = step switch
        {
            "authorize" or "pay" => (paidType, "Completed", life.Amount),
            "capture" => ("Capture", "Completed", amount ?? life.RemainingCapture),
            "cancel" => ("Cancellation", "Completed", amount ?? life.RemainingCancellation),
            "reverse" => ("Reversal", "Completed", amount ?? life.RemainingReversal),
            "fail" => (paidType, "Failed", life.Amount),
            _ => ((string?)null, "", 0L),
        };

        life.Updated = at;
        if (step == "abort")
        {
            life.Ended = "Aborted";
            return new StepOutcome(null);
        }

        if (step == "fail")
        {
            life.Ended = "Failed";
        }

        // The authorization or sale carries the payment's own payeeReference; every later operation one of its own.
        var reference = type is "Authorization" or "Sale" ? life.PayeeReference : numbers.NextReference();
        var transaction = new LifeTransaction(Guid.NewGuid(), type!, state, numbers.Next(), sum, reference, at, at);
        life.Transactions.Add(transaction);
        return new StepOutcome(transaction);
    }

    private static string? Exceeds(long? amount, long remaining, string what) => remaining == 0
        ? $"Nothing remains for a {what}."
        : amount > remaining ? $"The {what} of {amount} exceeds what remains for it, {remaining}." : null;
}
