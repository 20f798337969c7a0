using PayExCallbackFunctions.PayExStandIn;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// Card payments with one authorization each: the callbacks PayEx sends for them (the nested
/// per-instrument shape), and the payment and transaction the stand-in serves for them.
/// </summary>
public sealed class Workload
{
    // The ids in the stand-in's examples, replaced by each payment's own.
    private const string ExamplePaymentId = "7e6cdfc3-1276-44e9-9992-7cf4419750e1";
    private const string ExampleTransactionId = "ec2a9b09-601a-42ae-8e33-a5737e1cf177";

    private readonly (Guid Payment, Guid Transaction)[] _payments;

    public Workload(int count)
    {
        _payments = Enumerable.Range(0, count).Select(_ => (Guid.NewGuid(), Guid.NewGuid())).ToArray();
        Callbacks = _payments.Select(p => System.Text.Encoding.UTF8.GetBytes(
            $$$"""{"payment":{"id":"/psp/creditcard/payments/{{{p.Payment}}}","number":222222222},"transaction":{"id":"/psp/creditcard/payments/{{{p.Payment}}}/authorizations/{{{p.Transaction}}}","number":333333333}}""")).ToArray();
    }

    public int Count => _payments.Length;

    /// <summary>The callback bodies, UTF-8.</summary>
    public byte[][] Callbacks { get; }

    /// <summary>Makes the stand-in serve every payment and its transaction.</summary>
    public void Serve(StandInState state)
    {
        var payment = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Examples", "payment-creditcard-callback-examples.json"));
        var transaction = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Examples", "transaction-authorization-creditcard.docs.json"));
        foreach (var (p, t) in _payments)
        {
            state.PutResource(Swap(payment, p, t));
            state.PutResource(Swap(transaction, p, t));
        }
    }

    private static string Swap(string json, Guid payment, Guid transaction) =>
        json.Replace(ExamplePaymentId, payment.ToString(), StringComparison.Ordinal).Replace(ExampleTransactionId, transaction.ToString(), StringComparison.Ordinal);
}
