namespace PayExCallbackFunctions.Payments;

/// <summary>One transaction of a payment as PayEx lists it: what the status of a v1 payment is derived from.</summary>
public sealed record TransactionFact(string Id, string? Type, string? State, long? Amount);
