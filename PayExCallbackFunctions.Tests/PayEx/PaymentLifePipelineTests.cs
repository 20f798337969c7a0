using System.Net;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.PayEx;

/// <summary>
/// A scripted life end to end, under the Functions host: each step's callback, posted as PayEx would,
/// leads the app to GET and store what the step made.
/// </summary>
public class PaymentLifePipelineTests(RunningApp fixture) : IClassFixture<RunningApp>
{
    [Fact]
    public async Task Each_step_of_a_v1_life_is_stored_from_its_callback()
    {
        var payment = await fixture.PayEx.CreatePaymentAsync("v1");
        var authorized = await StepAndPostAsync(payment.Id, "authorize");
        var captured = await StepAndPostAsync(payment.Id, "capture", 500);

        var rows = await fixture.Storage.WaitForRowsAsync(payment.Id, $"payment-{payment.Id}", $"transaction-{IdOf(authorized)}", $"transaction-{IdOf(captured)}");
        Assert.Equal("Capture", rows[$"transaction-{IdOf(captured)}"].GetString("Type"));
        Assert.Equal(500, rows[$"transaction-{IdOf(captured)}"].GetInt64("Amount"));
        await Eventually.TrueAsync(
            async () => (await fixture.Storage.WaitForRowsAsync(payment.Id, $"payment-{payment.Id}"))[$"payment-{payment.Id}"].GetString("Json")!.Contains("\"remainingCaptureAmount\":1000", StringComparison.Ordinal),
            "the payment row to hold the amounts after the capture");
    }

    [Fact]
    public async Task Each_step_of_a_v3_1_life_is_stored_from_its_callback()
    {
        var order = await fixture.PayEx.CreatePaymentAsync("v3.1", orderReference: "549213");
        var paid = await StepAndPostAsync(order.Id, "authorize");
        var captured = await StepAndPostAsync(order.Id, "capture", 500);

        var attempt = $"attempt-{paid.CallbackJson["paymentOrder"]!["number"]!.GetValue<long>()}";
        var rows = await fixture.Storage.WaitForRowsAsync(order.Id, "paymentorder", attempt, $"transaction-{IdOf(captured)}");
        Assert.Equal("Authorization", rows[attempt].GetString("Type"));
        Assert.Equal(("Capture", 500L), (rows[$"transaction-{IdOf(captured)}"].GetString("Type"), rows[$"transaction-{IdOf(captured)}"].GetInt64("Amount")));
    }

    private async Task<StandInStep> StepAndPostAsync(Guid id, string step, long? amount = null)
    {
        var made = await fixture.PayEx.StepAsync(id, step, amount);
        using var response = await fixture.PostCallbackAsync(made.Callback);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return made;
    }

    private static Guid IdOf(StandInStep step) => Guid.Parse(step.Transaction![^36..]);
}
