using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Payments;

/// <summary>
/// Property-based test (FsCheck) of the real <see cref="PaymentWriter"/> on Azurite: no sequence of older, repeated
/// or concurrent answers moves a stored status or its version back. A payment's life is a list of snapshots, each
/// newer than the one before (a later <c>updated</c>, or the same one with more money moved); they are delivered in
/// any order, each at least once, some again, some two at a time.
/// <para>
/// The invariant, exact: the stored snapshot is always the newest delivered so far (step m, the highest index), and
/// its version is 1 at the first write and grows by one each time a newer step replaces the stored one with
/// different content (<see cref="PaymentSnapshot.DiffersFrom"/>); an older, repeated or same-content answer adds
/// nothing. So after one-at-a-time deliveries the version counts the content changes along the running maxima of
/// the delivered indices. Two answers written at once commit in one order or the other: the version is the count of
/// one of the two orders, and never anything else. The two go through two writers, as two instances of the app
/// would: each remembers the status rows it wrote, so the next answer through the first may start from a stale one.
/// </para>
/// A failure prints the counterexample and the seed; <c>[Property(Replay = "seed,gamma")]</c> reruns it.
/// </summary>
public class PaymentWriterProperties : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private PaymentWriter _writer = null!;
    private PaymentWriter _other = null!;
    private TestStorage _storage = null!;

    // Two writers, as two instances of the app: each remembers the status rows it wrote, the other's writes make that stale.
    public async Task InitializeAsync()
    {
        (_writer, _storage) = await PaymentWriterTests.WriterAsync();
        _other = PaymentWriterTests.Writer(_storage);
    }

    public async Task DisposeAsync()
    {
        _writer.Dispose();
        _other.Dispose();
        await _storage.DisposeAsync();
    }

    [Property(MaxTest = 40)]
    public Property No_order_of_older_repeated_or_concurrent_answers_moves_the_status_or_its_version_back() =>
        Prop.ForAll(Arb.From(Deliveries), CheckAsync);

    private async Task CheckAsync(DeliveryCase c)
    {
        var steps = c.Steps;
        // The generator's promise: each step is newer than every one before it, and no older one is newer than it.
        for (var j = 1; j < steps.Length; j++)
        {
            Assert.True(steps[j].IsNewerThan(steps[j - 1]) && !steps[j - 1].IsNewerThan(steps[j]), $"step {j} is not newer than step {j - 1}");
        }

        var partition = Guid.NewGuid();
        var model = Model.Empty;
        foreach (var delivery in c.Deliveries)
        {
            long? observed;
            if (delivery.Second is not { } second)
            {
                var result = await _writer.WriteAsync(Update(partition, steps[delivery.First]), default);
                var expected = model.Apply(steps, delivery.First);
                observed = (await PaymentWriterTests.StatusAsync(_storage, partition))?.Version;
                Assert.Equal(expected.Version, observed);
                // A write reports a change exactly when it made a new version, and which.
                Assert.Equal(expected.Version != model.Version ? expected.Version : null, result.Change?.Row.Version);
                model = expected;
            }
            else
            {
                await Task.WhenAll(
                    Task.Run(() => _writer.WriteAsync(Update(partition, steps[delivery.First]), default)),
                    Task.Run(() => _other.WriteAsync(Update(partition, steps[second]), default)));
                var oneOrder = model.Apply(steps, delivery.First).Apply(steps, second);
                var otherOrder = model.Apply(steps, second).Apply(steps, delivery.First);
                observed = (await PaymentWriterTests.StatusAsync(_storage, partition))?.Version;
                Assert.Contains(observed, new long?[] { oneOrder.Version, otherOrder.Version });
                model = oneOrder with { Version = observed!.Value };
            }

            var stored = await PaymentWriterTests.StatusAsync(_storage, partition);
            Assert.Equal(steps[model.Newest], stored!.Snapshot);
            // One event per version, in order, none for an answer that made no version.
            var events = (await _storage.RowsAsync(partition)).Where(r => r.RowKey.StartsWith("event-", StringComparison.Ordinal)).Select(r => r.GetInt64("Version")!.Value).Order();
            Assert.Equal(Enumerable.Range(1, (int)stored.Version).Select(v => (long)v), events);
        }
    }

    private static PaymentUpdate Update(Guid partition, PaymentSnapshot snapshot) => new(partition, [], snapshot, PaymentApi.Payment, "property");

    /// <summary>What the writer must have stored: the newest step delivered so far (-1: none) and the version.</summary>
    private sealed record Model(int Newest, long Version)
    {
        public static Model Empty { get; } = new(-1, 0);

        public Model Apply(PaymentSnapshot[] steps, int delivered) =>
            Newest < 0 ? new Model(delivered, 1)
            : delivered <= Newest ? this
            : new Model(delivered, steps[delivered].DiffersFrom(steps[Newest]) ? Version + 1 : Version);
    }

    /// <summary>One delivery: a step's answer, or two written at once.</summary>
    public sealed record Delivery(int First, int? Second)
    {
        public override string ToString() => Second is { } s ? $"{First}&{s}" : $"{First}";
    }

    public sealed record DeliveryCase(PaymentSnapshot[] Steps, Delivery[] Deliveries)
    {
        public override string ToString() =>
            $"steps [{string.Join("; ", Steps.Select((s, i) => $"{i}: {s.Status} a{s.AuthorizedAmount} c{s.CapturedAmount} x{s.CancelledAmount} r{s.ReversedAmount} @{(s.Updated!.Value - T0).Ticks}"))}]; " +
            $"delivered [{string.Join(", ", Deliveries.Select(d => d.ToString()))}]";
    }

    /// <summary>How a life moves on: a kind (authorize, capture, cancel, reverse, or only a later <c>updated</c>), a share of what it may take, and whether <c>updated</c> stays.</summary>
    private sealed record Move(int Kind, int Percent, bool SameUpdated);

    private static readonly Gen<Move> Moves =
        // Weighted so that most lives get past pending; a move that cannot apply (a second authorization) only moves updated.
        from kind in Gen.Frequency((3, Gen.Constant(0)), (3, Gen.Constant(1)), (1, Gen.Constant(2)), (2, Gen.Constant(3)), (1, Gen.Constant(4)))
        from percent in Gen.Choose(1, 100)
        from same in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
        select new Move(kind, percent, same);

    private static readonly Gen<PaymentSnapshot[]> Lives =
        from amount in Gen.Choose(1, 5000)
        from count in Gen.Choose(2, 8)
        from moves in Gen.ArrayOf(Moves, count)
        select Life(amount, moves);

    private static readonly Gen<DeliveryCase> Deliveries =
        from steps in Lives
        from repeatCount in Gen.Choose(0, steps.Length + 2)
        from repeats in Gen.ArrayOf(Gen.Choose(0, steps.Length - 1), repeatCount)
        from order in Gen.Shuffle(Enumerable.Range(0, steps.Length).Concat(repeats).ToArray())
        from paired in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false))), order.Length)
        select new DeliveryCase(steps, Pair(order, paired));

    // Adjacent deliveries marked so are written at once.
    private static Delivery[] Pair(int[] order, bool[] paired)
    {
        var deliveries = new List<Delivery>();
        for (var i = 0; i < order.Length; i++)
        {
            if (paired[i] && i + 1 < order.Length)
            {
                deliveries.Add(new Delivery(order[i], order[i + 1]));
                i++;
            }
            else
            {
                deliveries.Add(new Delivery(order[i], null));
            }
        }

        return [.. deliveries];
    }

    /// <summary>
    /// A card payment of <paramref name="amount"/> moved on step by step. A move that moves no money gets a later
    /// <c>updated</c> (the same content, newer); one that moves money may keep the <c>updated</c> of the step before.
    /// </summary>
    private static PaymentSnapshot[] Life(long amount, Move[] moves)
    {
        var steps = new List<PaymentSnapshot>();
        long authorized = 0, captured = 0, cancelled = 0, reversed = 0, ticks = 0;
        foreach (var move in moves)
        {
            var remaining = authorized - captured - cancelled;
            long Share(long of) => Math.Max(1, of * move.Percent / 100);
            var moved = true;
            switch (move.Kind)
            {
                case 0 when authorized == 0:
                    authorized = amount;
                    break;
                case 1 when remaining > 0:
                    captured += Share(remaining);
                    break;
                case 2 when remaining > 0:
                    cancelled += Share(remaining);
                    break;
                case 3 when captured - reversed > 0:
                    reversed += Share(captured - reversed);
                    break;
                default:
                    moved = false;
                    break;
            }

            ticks += moved && move.SameUpdated && steps.Count > 0 ? 0 : 1 + (move.Percent * 1000);
            remaining = authorized - captured - cancelled;
            steps.Add(new PaymentSnapshot
            {
                Status = PaymentStatus.FromAmounts(authorized, captured, cancelled, reversed, remaining == 0 ? null : remaining),
                Amount = amount,
                AuthorizedAmount = authorized,
                CapturedAmount = captured,
                CancelledAmount = cancelled,
                ReversedAmount = reversed,
                // PayEx omits a remaining amount that is zero.
                RemainingCaptureAmount = remaining == 0 ? null : remaining,
                RemainingCancellationAmount = remaining == 0 ? null : remaining,
                RemainingReversalAmount = captured - reversed == 0 ? null : captured - reversed,
                Currency = "SEK",
                Instrument = "CreditCard",
                OrderReference = "order-1",
                PayeeReference = "payee-1",
                Payment = "/psp/creditcard/payments/5adc265f-f87f-4313-577e-08d3dca1a26c",
                Number = 40106651845,
                Updated = T0.AddTicks(ticks),
            });
        }

        return [.. steps];
    }
}
