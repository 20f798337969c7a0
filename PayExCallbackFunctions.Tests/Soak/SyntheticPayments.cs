using System.Globalization;
using System.Text.Json.Nodes;

namespace PayExCallbackFunctions.Tests.Soak;

/// <summary>
/// PayEx's clock for synthetic resources: every <c>updated</c> it hands out is later than every
/// one before it (in whole milliseconds, written with PayEx's seven fractional digits).
/// </summary>
public sealed class SyntheticClock
{
    private static readonly DateTimeOffset Start = new(2025, 6, 2, 8, 0, 0, TimeSpan.Zero);
    private long _milliseconds;

    public DateTimeOffset Next() => Start.AddMilliseconds(Interlocked.Increment(ref _milliseconds));

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>The kinds of card transaction the synthetic payments go through, as PayEx names them.</summary>
public sealed record TransactionKind(string Member, string Collection, string Type)
{
    public static readonly TransactionKind Authorization = new("authorization", "authorizations", "Authorization");
    public static readonly TransactionKind Capture = new("capture", "captures", "Capture");
    public static readonly TransactionKind Reversal = new("reversal", "reversals", "Reversal");
    public static readonly TransactionKind Cancellation = new("cancellation", "cancellations", "Cancellation");
}

/// <summary>What happens to a payment at PayEx between two callbacks.</summary>
public enum PaymentStep
{
    /// <summary>The payer authorizes: a new authorization, Initialized.</summary>
    Authorize,

    /// <summary>The authorization goes through.</summary>
    CompleteAuthorization,

    /// <summary>The acquirer declines: the authorization and the payment fail.</summary>
    FailAuthorization,

    /// <summary>A capture of all that is left, Completed at once.</summary>
    CaptureRest,

    /// <summary>A capture of part of the amount, Completed at once.</summary>
    CapturePart,

    /// <summary>A capture of all that is left, Initialized (completed by a later step).</summary>
    CapturePending,

    /// <summary>The pending capture goes through.</summary>
    CompletePending,

    /// <summary>A reversal of part of what was captured.</summary>
    Reverse,

    /// <summary>The merchant cancels what is authorized and not captured.</summary>
    Cancel,
}

/// <summary>A transaction of a synthetic payment; its JSON is the typed document PayEx serves.</summary>
public sealed class SyntheticTransaction(SyntheticPayment payment, Guid id, TransactionKind kind, long number, long amount)
{
    public Guid Id { get; } = id;

    public TransactionKind Kind { get; } = kind;

    public long Number { get; } = number;

    public long Amount { get; } = amount;

    public string State { get; set; } = "Initialized";

    public DateTimeOffset Created { get; set; }

    public DateTimeOffset Updated { get; set; }

    public string TypedPath => $"{payment.Path}/{Kind.Collection}/{Id:D}";

    public string GenericPath => $"{payment.Path}/transactions/{Id:D}";

    public string RowKey => $"transaction-{Id:D}";

    public string ToJson()
    {
        var transaction = new JsonObject
        {
            ["id"] = GenericPath,
            ["created"] = SyntheticClock.Format(Created),
            ["updated"] = SyntheticClock.Format(Updated),
            ["type"] = Kind.Type,
            ["state"] = State,
            ["number"] = Number,
            ["amount"] = Amount,
            ["vatAmount"] = Amount / 5,
            ["description"] = $"{Kind.Type} of order {payment.PayeeReference}",
            ["payeeReference"] = $"{payment.PayeeReference}-{Kind.Member[..3]}{Number % 1000}",
            ["isOperational"] = State == "Initialized",
            ["operations"] = new JsonArray(),
        };
        if (State == "Failed")
        {
            transaction["failedReason"] = "ExternalResponseError";
            transaction["failedActivityName"] = "Authorize";
            transaction["failedErrorCode"] = "REJECTED_BY_ACQUIRER";
            transaction["failedErrorDescription"] = "General decline, response-code: 05";
        }

        var typed = new JsonObject { ["id"] = TypedPath };
        if (Kind == TransactionKind.Authorization)
        {
            typed["paymentToken"] = Id.ToString("D");
            typed["maskedPan"] = "492500xxxxxx0004";
            typed["cardBrand"] = "Visa";
            typed["cardType"] = "Credit";
        }

        typed["transaction"] = transaction;
        return new JsonObject { ["payment"] = payment.Path, [Kind.Member] = typed }.ToJsonString();
    }
}

/// <summary>
/// A card payment as PayEx has it, and the truth the payments table must end up with: the JSON
/// PayEx serves now for the payment and each of its transactions. Each step changes the payment
/// and one transaction, gives both a later <c>updated</c>, and publishes them to the stand-in.
/// </summary>
public sealed class SyntheticPayment
{
    private readonly SyntheticClock _clock;
    private readonly List<SyntheticTransaction> _transactions = [];
    private readonly Func<long> _nextNumber;
    private readonly Random _ids;
    private SyntheticTransaction? _authorization;
    private SyntheticTransaction? _pendingCapture;
    private long _captured;

    public SyntheticPayment(Random random, SyntheticClock clock, Func<long> nextNumber)
    {
        _clock = clock;
        _nextNumber = nextNumber;
        _ids = new Random(random.Next());
        Id = NewGuid();
        Number = nextNumber();
        Amount = random.Next(1, 5000) * 100L;
        PayeeReference = $"SOAK{Number}";
        Created = Updated = clock.Next();
    }

    public Guid Id { get; }

    public string Path => $"/psp/creditcard/payments/{Id:D}";

    public string RowKey => $"payment-{Id:D}";

    public long Number { get; }

    public long Amount { get; }

    public string PayeeReference { get; }

    public string State { get; private set; } = "Ready";

    public DateTimeOffset Created { get; }

    public DateTimeOffset Updated { get; private set; }

    public long RemainingCapture { get; private set; }

    public long RemainingCancellation { get; private set; }

    public long RemainingReversal { get; private set; }

    public IReadOnlyList<SyntheticTransaction> Transactions => _transactions;

    /// <summary>The transaction the last step changed: what its callback names.</summary>
    public SyntheticTransaction? LastChanged { get; private set; }

    /// <summary>Row key → JSON PayEx serves now: what the payments table must hold in the end.</summary>
    public IReadOnlyDictionary<string, string> Truth()
    {
        var truth = new Dictionary<string, string> { [RowKey] = ToJson() };
        foreach (var transaction in _transactions)
        {
            truth[transaction.RowKey] = transaction.ToJson();
        }

        return truth;
    }

    /// <summary>Row key → PayEx's <c>updated</c> now.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> TruthUpdated()
    {
        var truth = new Dictionary<string, DateTimeOffset> { [RowKey] = Updated };
        foreach (var transaction in _transactions)
        {
            truth[transaction.RowKey] = transaction.Updated;
        }

        return truth;
    }

    /// <summary>
    /// Whether <paramref name="step"/> changes a transaction that an earlier step created (so
    /// that a callback naming it before the step can carry an older state of it).
    /// </summary>
    public static bool ChangesEarlierTransaction(PaymentStep step) =>
        step is PaymentStep.CompleteAuthorization or PaymentStep.FailAuthorization or PaymentStep.CompletePending;

    /// <summary>The earlier transaction <paramref name="step"/> will change; null for a step that creates one.</summary>
    public SyntheticTransaction? WillChange(PaymentStep step) => step switch
    {
        PaymentStep.CompleteAuthorization or PaymentStep.FailAuthorization => _authorization,
        PaymentStep.CompletePending => _pendingCapture,
        _ => null,
    };

    /// <summary>Applies <paramref name="step"/>, publishes what changed, and returns the transaction changed.</summary>
    public SyntheticTransaction Apply(PaymentStep step, Action<string> publish)
    {
        SyntheticTransaction changed;
        switch (step)
        {
            case PaymentStep.Authorize:
                changed = _authorization = Add(TransactionKind.Authorization, Amount);
                break;
            case PaymentStep.CompleteAuthorization:
                changed = Require(_authorization);
                changed.State = "Completed";
                RemainingCapture = RemainingCancellation = Amount;
                break;
            case PaymentStep.FailAuthorization:
                changed = Require(_authorization);
                changed.State = "Failed";
                State = "Failed";
                break;
            case PaymentStep.CapturePart:
                changed = Add(TransactionKind.Capture, RemainingCapture / 2, "Completed");
                Captured(changed.Amount);
                break;
            case PaymentStep.CaptureRest:
                changed = Add(TransactionKind.Capture, RemainingCapture, "Completed");
                Captured(changed.Amount);
                break;
            case PaymentStep.CapturePending:
                changed = _pendingCapture = Add(TransactionKind.Capture, RemainingCapture);
                break;
            case PaymentStep.CompletePending:
                changed = Require(_pendingCapture);
                changed.State = "Completed";
                Captured(changed.Amount);
                break;
            case PaymentStep.Reverse:
                changed = Add(TransactionKind.Reversal, Math.Max(1, _captured / 3), "Completed");
                RemainingReversal -= changed.Amount;
                break;
            case PaymentStep.Cancel:
                changed = Add(TransactionKind.Cancellation, RemainingCancellation, "Completed");
                RemainingCapture = RemainingCancellation = 0;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step, null);
        }

        // Each change is later than all before it, for the transaction and for the payment.
        changed.Updated = _clock.Next();
        Updated = _clock.Next();
        LastChanged = changed;
        publish(changed.ToJson());
        publish(ToJson());
        return changed;
    }

    /// <summary>A callback as PayEx sends it for this payment, naming <paramref name="transaction"/> if given.</summary>
    public string Callback(SyntheticTransaction? transaction, CallbackForm form, Uri payExBaseUrl)
    {
        string Reference(string path) => form.Absolute ? new Uri(payExBaseUrl, path).ToString() : path;
        var transactionPath = transaction is null ? null : Reference(form.GenericPath ? transaction.GenericPath : transaction.TypedPath);
        JsonObject callback;
        if (form.Flat)
        {
            // The 2018 flat shape: paths as strings, numbers beside them (sometimes as strings).
            callback = new JsonObject { ["payment"] = Reference(Path), ["paymentNumber"] = Number };
            if (transaction is not null)
            {
                callback["transaction"] = transactionPath;
                callback["transactionNumber"] = form.NumbersAsStrings ? transaction.Number.ToString(CultureInfo.InvariantCulture) : transaction.Number;
            }
        }
        else
        {
            callback = new JsonObject { ["payment"] = new JsonObject { ["id"] = Reference(Path), ["number"] = Number } };
            if (transaction is not null)
            {
                callback["transaction"] = new JsonObject { ["id"] = transactionPath, ["number"] = transaction.Number };
            }
        }

        return callback.ToJsonString();
    }

    public string ToJson()
    {
        JsonObject Link(string name) => new() { ["id"] = $"{Path}/{name}" };
        var payment = new JsonObject
        {
            ["id"] = Path,
            ["number"] = Number,
            ["created"] = SyntheticClock.Format(Created),
            ["updated"] = SyntheticClock.Format(Updated),
            ["instrument"] = "CreditCard",
            ["operation"] = "Purchase",
            ["intent"] = "Authorization",
            ["state"] = State,
            ["currency"] = "SEK",
            ["prices"] = Link("prices"),
            ["amount"] = Amount,
            ["remainingCaptureAmount"] = RemainingCapture,
            ["remainingCancellationAmount"] = RemainingCancellation,
            ["remainingReversalAmount"] = RemainingReversal,
            ["description"] = $"Order {PayeeReference}",
            ["payeeReference"] = PayeeReference,
            ["userAgent"] = "PayExCallbackFunctions.Tests soak",
            ["language"] = "sv-SE",
            ["transactions"] = Link("transactions"),
            ["authorizations"] = Link("authorizations"),
            ["captures"] = Link("captures"),
            ["reversals"] = Link("reversals"),
            ["cancellations"] = Link("cancellations"),
            ["urls"] = Link("urls"),
            ["payeeInfo"] = Link("payeeinfo"),
            ["metadata"] = Link("metadata"),
        };
        return new JsonObject
        {
            ["payment"] = payment,
            ["operations"] = new JsonArray(),
        }.ToJsonString();
    }

    private SyntheticTransaction Add(TransactionKind kind, long amount, string state = "Initialized")
    {
        var transaction = new SyntheticTransaction(this, NewGuid(), kind, _nextNumber(), amount) { State = state, Created = _clock.Next() };
        _transactions.Add(transaction);
        return transaction;
    }

    private void Captured(long amount)
    {
        _captured += amount;
        RemainingCapture -= amount;
        RemainingCancellation -= amount;
        RemainingReversal += amount;
    }

    private Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _ids.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }

    private static SyntheticTransaction Require(SyntheticTransaction? transaction) =>
        transaction ?? throw new InvalidOperationException("The step needs a transaction an earlier step created.");
}

/// <summary>How one callback is written: PayEx has sent all of these.</summary>
/// <param name="Flat">The 2018 flat shape rather than the nested one.</param>
/// <param name="GenericPath">Names the transaction by /transactions/{id} rather than its typed path.</param>
/// <param name="Absolute">Absolute URLs on the PayEx host rather than /psp/ paths.</param>
/// <param name="NumbersAsStrings">In the flat shape, the transaction number as a string.</param>
public sealed record CallbackForm(bool Flat, bool GenericPath, bool Absolute, bool NumbersAsStrings)
{
    public static CallbackForm Random(Random random, bool typedOnly) => new(
        Flat: random.Next(2) == 0,
        GenericPath: !typedOnly && random.Next(2) == 0,
        Absolute: random.Next(10) == 0,
        NumbersAsStrings: random.Next(4) == 0);
}

/// <summary>The lives a synthetic payment can have, as sequences of steps, each followed by a callback.</summary>
public static class Scenarios
{
    private static readonly (int Weight, PaymentStep[] Steps)[] All =
    [
        (30, [PaymentStep.Authorize, PaymentStep.CompleteAuthorization, PaymentStep.CaptureRest]),
        (13, [PaymentStep.Authorize, PaymentStep.CompleteAuthorization, PaymentStep.CapturePart, PaymentStep.CaptureRest]),
        (17, [PaymentStep.Authorize, PaymentStep.CompleteAuthorization, PaymentStep.CapturePending, PaymentStep.CompletePending]),
        (12, [PaymentStep.Authorize, PaymentStep.CompleteAuthorization, PaymentStep.CaptureRest, PaymentStep.Reverse]),
        (8, [PaymentStep.Authorize, PaymentStep.CompleteAuthorization, PaymentStep.Cancel]),
        (10, [PaymentStep.Authorize, PaymentStep.FailAuthorization]),
        (10, [PaymentStep.Authorize, PaymentStep.CompleteAuthorization]),
    ];

    public static PaymentStep[] Pick(Random random)
    {
        var pick = random.Next(All.Sum(s => s.Weight));
        foreach (var (weight, steps) in All)
        {
            if (pick < weight)
            {
                return steps;
            }

            pick -= weight;
        }

        throw new InvalidOperationException("Unreachable.");
    }
}
