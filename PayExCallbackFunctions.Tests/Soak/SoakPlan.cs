namespace PayExCallbackFunctions.Tests.Soak;

/// <summary>One delivery of a step's callback: sent right after the step, or only after <see cref="Lag"/> later steps.</summary>
public sealed record Delivery(int Lag, CallbackForm Form);

/// <summary>What happens to one payment during the soak, decided up front from the seed.</summary>
public sealed class PaymentPlan
{
    public required SyntheticPayment Payment { get; init; }

    public required PaymentStep[] Steps { get; init; }

    /// <summary>The deliveries of each step's callback: one or more (PayEx's duplicates).</summary>
    public required Delivery[][] Deliveries { get; init; }

    /// <summary>
    /// Whether the payment is a stale-answer trap: before its last step a callback is sent whose GET
    /// of the transaction that step changes is answered late, with the state from before the step.
    /// Trapped payments name transactions by their typed paths only, so that only the trap's
    /// callback reads the generic path the late answer is scripted for.
    /// </summary>
    public required bool Trap { get; init; }

    /// <summary>Seeds the timing of the payment's steps.</summary>
    public required int FlowSeed { get; init; }

    public int Callbacks => Deliveries.Sum(d => d.Length) + (Trap ? 1 : 0);
}

/// <summary>The payments of one soak run and their callbacks, all decided by one seed.</summary>
public sealed class SoakPlan
{
    private SoakPlan(int seed, IReadOnlyList<PaymentPlan> payments)
    {
        Seed = seed;
        Payments = payments;
    }

    public int Seed { get; }

    public IReadOnlyList<PaymentPlan> Payments { get; }

    public SyntheticClock Clock { get; } = new();

    public int Callbacks => Payments.Sum(p => p.Callbacks);

    /// <summary>Distinct notifications: one per step of each payment.</summary>
    public int Notifications => Payments.Sum(p => p.Steps.Length);

    /// <summary>Deliveries beyond the first of each notification.</summary>
    public int Duplicates => Payments.Sum(p => p.Deliveries.Sum(d => d.Length - 1));

    /// <summary>Deliveries sent only after a later step's callback: older news arriving after newer.</summary>
    public int Late => Payments.Sum(p => p.Deliveries.Sum(d => d.Count(x => x.Lag > 0)));

    public int Traps => Payments.Count(p => p.Trap);

    /// <summary>Payments until there are at least <paramref name="minPayments"/> and <paramref name="minCallbacks"/> callbacks.</summary>
    public static SoakPlan Create(int seed, int minPayments, int minCallbacks)
    {
        var random = new Random(seed);
        var payments = new List<PaymentPlan>();
        var plan = new SoakPlan(seed, payments);
        var number = 40_000_000_000L + random.Next(1_000_000) * 1000L;
        var callbacks = 0;
        while (payments.Count < minPayments || callbacks < minCallbacks)
        {
            var steps = Scenarios.Pick(random);
            var last = steps.Length - 1;
            var trap = steps.Length > 1 && SyntheticPayment.ChangesEarlierTransaction(steps[last]) && random.NextDouble() < 0.35;
            var deliveries = new Delivery[steps.Length][];
            for (var step = 0; step < steps.Length; step++)
            {
                // A trap's last step is delivered once, so that nothing after it fetches the payment again.
                var count = trap && step == last ? 1 : random.Next(10) switch { < 3 => 1, < 7 => 2, _ => 3 };
                deliveries[step] = new Delivery[count];
                for (var i = 0; i < count; i++)
                {
                    var lag = trap || step == last ? 0 : random.Next(100) switch { < 78 => 0, < 94 => 1, _ => 2 };
                    deliveries[step][i] = new Delivery(Math.Min(lag, last - step), CallbackForm.Random(random, typedOnly: trap));
                }
            }

            var payment = new PaymentPlan
            {
                Payment = new SyntheticPayment(random, plan.Clock, () => Interlocked.Increment(ref number)),
                Steps = steps,
                Deliveries = deliveries,
                Trap = trap,
                FlowSeed = random.Next(),
            };
            payments.Add(payment);
            callbacks += payment.Callbacks;
        }

        return plan;
    }
}
