namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>Finds the scripted payment a GET /psp/... names, and answers it in its generation's shape.</summary>
public static class LifeDocuments
{
    /// <summary>The JSON at <paramref name="path"/> (no query), expanded as <paramref name="expand"/> asks; null if none.</summary>
    public static string? Get(StandInPayments payments, string path, string? expand)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var names = LifeJson.Expand(expand);
        if (segments is ["psp", var kind, var orderId, .. var orderRest] && kind.Equals("paymentorders", StringComparison.OrdinalIgnoreCase)
            && Guid.TryParseExact(orderId, "D", out var order) && payments.Find(order) is { } ordered && ordered.OrderId == order)
        {
            lock (ordered.Sync)
            {
                return (ordered.Generation == Generation.V2
                    ? V2PaymentOrderDocuments.Get(ordered, Lower(orderRest), names)
                    : V3PaymentOrderDocuments.Get(ordered, Lower(orderRest), names))?.ToJsonString();
            }
        }

        if (segments is ["psp", var instrument, var noun, var paymentId, .. var rest] && noun.Equals("payments", StringComparison.OrdinalIgnoreCase)
            && Guid.TryParseExact(paymentId, "D", out var id) && payments.Find(id) is { } life && life.PaymentId == id
            && life.Instrument.Equals(instrument, StringComparison.OrdinalIgnoreCase))
        {
            lock (life.Sync)
            {
                return V1PaymentDocuments.Get(life, Lower(rest), names)?.ToJsonString();
            }
        }

        return null;
    }

    // PayEx's paths are case-insensitive: /captures and /Captures name the same list.
    private static string[] Lower(string[] segments) => [.. segments.Select(s => s.ToLowerInvariant())];
}
