using System.Text;
using PayExCallbackFunctions.PayExStandIn.Payments;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// Processing's workload: card payments (v1) scripted at the stand-in, each with an order and a payee
/// reference, living as PayEx moves them: first authorized (each callback is for a payment the app has not
/// stored yet), later captured (a second callback for a stored payment, as hours later in a real life).
/// The stand-in serves each payment as it is at the time of the GET, with its transactions when asked
/// with $expand=transactions.
/// </summary>
public sealed class PaymentLives(StandInPayments payments, int count, int capturedPercent)
{
    private readonly List<PaymentLife> _lives = [];

    public int Count => count;

    /// <summary>How many of the payments are captured in the second phase.</summary>
    public int Captured => count * capturedPercent / 100;

    /// <summary>Creates the payments and authorizes each: one callback per payment, none stored yet.</summary>
    public byte[][] Authorize()
    {
        var batch = Guid.NewGuid().ToString("N")[..8];
        return Enumerable.Range(0, count).Select(i =>
        {
            var life = payments.Create(
                new NewPayment { Generation = "v1", Instrument = "creditcard", Amount = 1500, OrderReference = $"bench-{batch}-{i}" },
                Generation.V1);
            _lives.Add(life);
            return Step(life, "authorize");
        }).ToArray();
    }

    /// <summary>Captures the first <see cref="Captured"/> payments in full: a second callback each.</summary>
    public byte[][] Capture() => _lives.Take(Captured).Select(life => Step(life, "capture")).ToArray();

    private byte[] Step(PaymentLife life, string step)
    {
        var result = payments.Step(life.PaymentId!.Value, step, null);
        if (result.Status != 200)
        {
            throw new InvalidOperationException($"The stand-in refused to {step} {life.PaymentPath}: {result.Error}");
        }

        return Encoding.UTF8.GetBytes(result.Callback!.ToJsonString());
    }
}
