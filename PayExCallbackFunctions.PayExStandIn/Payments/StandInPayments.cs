using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>What a step answered: the callback PayEx would send and the transaction it made, or why it was refused.</summary>
public sealed record StepResult(int Status, string? Error = null, JsonObject? Callback = null, string? Transaction = null);

/// <summary>
/// The payments a test scripts through their lives (POST /_standin/payments), found by the id of
/// their payment order or payment. Each step's time is at least a second after the one before, so
/// that PayEx's <c>updated</c> orders the steps even when a test makes them within a millisecond.
/// </summary>
public sealed class StandInPayments(TimeProvider time, CallbackTarget target)
{
    private readonly ConcurrentDictionary<Guid, PaymentLife> _lives = new();
    private readonly PayExNumbers _numbers = new(time);

    public PaymentLife Create(NewPayment request, Generation generation)
    {
        var now = time.GetUtcNow();
        var life = new PaymentLife
        {
            Generation = generation,
            Instrument = (request.Instrument ?? "creditcard").ToLowerInvariant(),
            Intent = request.Intent ?? "Authorization",
            Amount = request.Amount ?? 1500,
            Currency = request.Currency ?? "SEK",
            OrderReference = request.OrderReference,
            PayeeReference = request.PayeeReference ?? _numbers.NextReference(),
            CallbackUrl = request.Callbacks == false ? null : request.CallbackUrl is { } url ? new Uri(url) : target.DefaultUrl,
            OrderId = generation == Generation.V1 ? null : Guid.NewGuid(),
            Created = now,
            Updated = now,
        };
        if (generation == Generation.V1)
        {
            StartPayment(life);
        }
        else
        {
            _lives[life.OrderId!.Value] = life;
        }

        return life;
    }

    /// <summary>The life with this payment order or payment id.</summary>
    public PaymentLife? Find(Guid id) => _lives.GetValueOrDefault(id);

    public StepResult Step(Guid id, string step, long? amount)
    {
        if (Find(id) is not { } life)
        {
            return new StepResult(404, $"No scripted payment or payment order {id:D}.");
        }

        lock (life.Sync)
        {
            var at = time.GetUtcNow();
            if (at < life.Updated.AddSeconds(1))
            {
                at = life.Updated.AddSeconds(1);
            }

            var outcome = LifeSteps.Apply(life, step, amount, at, _numbers);
            if (!outcome.Succeeded)
            {
                return new StepResult(outcome.ErrorStatus, outcome.Error);
            }

            // v2 and v3.0 make the payment order's payment when the payer starts to pay.
            if (life.PaymentId is null && life.Generation is Generation.V2 or Generation.V30)
            {
                StartPayment(life);
            }

            return new StepResult(200, Callback: LifeCallbacks.For(life, outcome.Transaction), Transaction: LifePaths.OfTransaction(life, outcome.Transaction));
        }
    }

    public void Clear() => _lives.Clear();

    private void StartPayment(PaymentLife life)
    {
        life.PaymentId = Guid.NewGuid();
        life.PaymentNumber = _numbers.Next();
        _lives[life.PaymentId.Value] = life;
    }
}
