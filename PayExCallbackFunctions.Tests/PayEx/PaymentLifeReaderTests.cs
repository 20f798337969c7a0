using System.Text;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.PayEx;

/// <summary>
/// The app's reader accepts what the stand-in serves along a payment's life, and finds each v3.1
/// callback's number in the order it reads: the scripted documents are usable end to end.
/// </summary>
public class PaymentLifeReaderTests : IAsyncLifetime
{
    private StandIn _payEx = null!;

    public async Task InitializeAsync() => _payEx = await StandIn.StartAsync();

    public async Task DisposeAsync() => await _payEx.DisposeAsync();

    [Fact]
    public async Task Each_v3_1_callback_number_is_found_in_the_order_the_app_reads()
    {
        var order = await _payEx.CreatePaymentAsync("v3.1", orderReference: "549213");
        var expected = Path(order.PaymentOrder!);
        foreach (var (step, amount, type) in new[] { ("authorize", (long?)null, "Authorization"), ("capture", 500L, "Capture"), ("capture", null, "Capture"), ("reverse", 200L, "Reversal") })
        {
            var callback = (await _payEx.StepAsync(order.Id, step, amount)).CallbackJson;
            var number = callback["paymentOrder"]!["number"]!.GetValue<long>();
            var body = await BodyAsync($"{order.PaymentOrder}?$expand={PayExResourceReader.PaymentOrderExpand}");
            var read = PayExResourceReader.ReadPaymentOrder(body, expected, number);
            Assert.Equal("Paid", read[0].State);
            Assert.Equal("549213", read[0].OrderReference);
            var attempt = read[1];
            Assert.Equal((number, type), (attempt.Number, attempt.Type));
        }
    }

    [Fact]
    public async Task A_failed_v3_1_attempt_is_found_among_the_failed_attempts()
    {
        var order = await _payEx.CreatePaymentAsync("v3.1");
        var number = (await _payEx.StepAsync(order.Id, "fail")).CallbackJson["paymentOrder"]!["number"]!.GetValue<long>();
        var read = PayExResourceReader.ReadPaymentOrder(await BodyAsync($"{order.PaymentOrder}?$expand={PayExResourceReader.PaymentOrderExpand}"), Path(order.PaymentOrder!), number);
        Assert.Equal("Failed", read[0].State);
        Assert.Equal((number, "Failed"), (read[1].Number, read[1].State));
    }

    [Fact]
    public async Task A_v2_payment_order_is_read_under_its_lower_case_root_with_its_state_and_payment()
    {
        // PayEx's v2 documentation names the root paymentorder and gives a state, not a status.
        var order = await _payEx.CreatePaymentAsync("v2", orderReference: "549213");
        var payment = (await _payEx.StepAsync(order.Id, "authorize")).CallbackJson["payment"]!["id"]!.GetValue<string>();
        await _payEx.StepAsync(order.Id, "capture", 500);
        var document = await _payEx.GetDocumentAsync($"{order.PaymentOrder}?$expand=payments");
        Assert.True(document.ContainsKey("paymentorder"));
        Assert.False(document.ContainsKey("paymentOrder"));

        var read = Assert.Single(PayExResourceReader.ReadPaymentOrder(Encoding.UTF8.GetBytes(document.ToJsonString()), Path(order.PaymentOrder!), null));
        Assert.Equal(("Ready", 1500L, "549213", "SEK"), (read.State, read.Amount, read.OrderReference, read.Currency));
        Assert.Equal((1000L, 1000L, 500L), (read.RemainingCaptureAmount, read.RemainingCancellationAmount, read.RemainingReversalAmount));
        Assert.Equal([Path(payment).Value], read.Payments);
        // A v2 order has no status of its own: the app derives it from the payment the callback names.
        Assert.Null(read.Snapshot);
    }

    [Fact]
    public async Task A_v1_payment_and_each_transaction_a_callback_names_are_read()
    {
        var payment = await _payEx.CreatePaymentAsync("v1", payeeReference: "549213");
        foreach (var (step, amount, type) in new[] { ("authorize", (long?)null, "Authorization"), ("capture", 600L, "Capture"), ("cancel", null, "Cancellation"), ("reverse", 100L, "Reversal") })
        {
            var made = await _payEx.StepAsync(payment.Id, step, amount);
            var callback = made.CallbackJson;
            var transaction = PayExResourceReader.ReadTransaction(await BodyAsync(made.Transaction!), Path(made.Transaction!), "SEK");
            Assert.Equal((callback["transaction"]!["number"]!.GetValue<long>(), type, "Completed"), (transaction.Number, transaction.Type, transaction.State));
        }

        var read = PayExResourceReader.ReadPayment(await BodyAsync(payment.Payment!), Path(payment.Payment!));
        Assert.Equal(("Ready", 1500L, "549213"), (read.State, read.Amount, read.PayeeReference));
    }

    private async Task<byte[]> BodyAsync(string pathAndQuery) => Encoding.UTF8.GetBytes((await _payEx.GetDocumentAsync(pathAndQuery)).ToJsonString());

    private static PayExPath Path(string path) =>
        PayExPath.TryParseRelative(path, out var parsed, out var error) ? parsed : throw new ArgumentException(error);
}
