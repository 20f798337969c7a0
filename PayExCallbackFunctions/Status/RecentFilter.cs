using System.Globalization;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// Which recent callbacks the page lists: all, or those of one payment (by its number) or one payment
/// order (by its id), as a dead letter's links ask. Anything else in the query is no filter.
/// </summary>
public sealed record RecentFilter(long? PaymentNumber, Guid? PaymentOrderId)
{
    public const string PaymentParameter = "payment";
    public const string PaymentOrderParameter = "paymentorder";

    /// <summary>Null when the query asks for no filter this page knows.</summary>
    public static RecentFilter? From(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (long.TryParse(query[PaymentParameter].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0)
        {
            return new RecentFilter(number, null);
        }

        return Guid.TryParse(query[PaymentOrderParameter].FirstOrDefault(), out var order) ? new RecentFilter(null, order) : null;
    }

    public bool Matches(RecentCallback callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return PaymentNumber is { } number
            ? callback.PaymentNumber == number
            : Guid.TryParse(callback.PaymentOrderId, out var order) && order == PaymentOrderId;
    }

    public string Describe() => PaymentNumber is { } number
        ? string.Create(CultureInfo.InvariantCulture, $"payment {number}")
        : $"payment order {PaymentOrderId}";
}
