using System.Text.Json.Nodes;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// A payment the stand-in scripts: <see cref="Id"/> is the payment order's (v2, v3.x) or the
/// payment's (v1); <see cref="Payment"/> is null for a payment order until the payer starts to pay.
/// </summary>
public sealed record StandInPayment(Guid Id, string? PaymentOrder, string? Payment);

/// <summary>
/// What a step did: <see cref="Callback"/> is the body PayEx would POST to the callbackUrl, as sent;
/// <see cref="Transaction"/> the path of the transaction the step made (null where it made none).
/// </summary>
public sealed record StandInStep(string Callback, string? Transaction)
{
    public JsonObject CallbackJson => JsonNode.Parse(Callback)!.AsObject();
}
