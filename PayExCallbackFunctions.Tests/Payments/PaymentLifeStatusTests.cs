using System.Net;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Payments;

/// <summary>
/// A payment's life per API generation, end to end under the Functions host: the stand-in moves the payment on,
/// each step's callback is posted as PayEx would, and the status the order system reads through the payments API
/// follows, one version per step.
/// </summary>
public class PaymentLifeStatusTests(RunningApp fixture) : IClassFixture<RunningApp>
{
    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    [InlineData("v3.0")]
    [InlineData("v3.1")]
    public async Task Each_step_of_a_life_leads_to_its_status_and_a_new_version(string generation)
    {
        var payment = await fixture.PayEx.CreatePaymentAsync(generation, amount: 1500, orderReference: generation == "v1" ? null : "549213");

        await StepAndPostAsync(payment.Id, "authorize");
        var authorized = await StatusAsync(payment.Id, version: 1);
        Assert.Equal(new Amounts(PaymentStatus.Authorized, 1500, 0, 0, 1500, 1500), Amounts.Of(authorized));

        await StepAndPostAsync(payment.Id, "capture", 500);
        Assert.Equal(new Amounts(PaymentStatus.PartiallyCaptured, 1500, 500, 0, 1000, 1000), Amounts.Of(await StatusAsync(payment.Id, version: 2)));

        await StepAndPostAsync(payment.Id, "capture");
        Assert.Equal(new Amounts(PaymentStatus.Captured, 1500, 1500, 0, Remaining(generation), Remaining(generation)), Amounts.Of(await StatusAsync(payment.Id, version: 3)));

        await StepAndPostAsync(payment.Id, "reverse", 200);
        var reversed = await StatusAsync(payment.Id, version: 4);
        Assert.Equal(new Amounts(PaymentStatus.PartiallyReversed, 1500, 1500, 200, Remaining(generation), Remaining(generation)), Amounts.Of(reversed));
        Assert.Equal(1300, reversed["remainingReversalAmount"]!.GetValue<long>());
        Assert.Equal("SEK", reversed["currency"]!.GetValue<string>());
        // The partition is the payment order's where there is one, and the status names it.
        Assert.Equal(generation == "v1" ? null : $"/psp/paymentorders/{payment.Id:D}", reversed["paymentOrder"]?.GetValue<string>());
        Assert.Equal(generation == "v1" ? null : "549213", reversed["orderReference"]?.GetValue<string>());
        Assert.Equal(generation == "v3.1", reversed["payment"] is null);
    }

    [Fact]
    public async Task A_v1_callback_naming_an_authorization_of_a_payment_cancelled_since_reads_cancelled()
    {
        var payment = await fixture.PayEx.CreatePaymentAsync("v1", amount: 1500);
        var authorize = await fixture.PayEx.StepAsync(payment.Id, "authorize");
        await fixture.PayEx.StepAsync(payment.Id, "cancel");

        // Only the old callback arrives: the app reads the payment as it is now.
        await PostAsync(authorize.Callback);

        var status = await StatusAsync(payment.Id, version: 1);
        Assert.Equal(PaymentStatus.Cancelled, status["status"]!.GetValue<string>());
        Assert.Equal((1500L, 0L, 1500L), (status["authorizedAmount"]!.GetValue<long>(), status["capturedAmount"]!.GetValue<long>(), status["cancelledAmount"]!.GetValue<long>()));
    }

    /// <summary>The status and amounts a step is checked by.</summary>
    private sealed record Amounts(string Status, long Authorized, long Captured, long Reversed, long? RemainingCapture, long? RemainingCancellation)
    {
        public static Amounts Of(JsonObject payment) =>
            new(payment["status"]!.GetValue<string>(), payment["authorizedAmount"]!.GetValue<long>(), payment["capturedAmount"]!.GetValue<long>(), payment["reversedAmount"]!.GetValue<long>(), payment["remainingCaptureAmount"]?.GetValue<long>(), payment["remainingCancellationAmount"]?.GetValue<long>());
    }

    // Nothing left to capture: a payment (v1, and the payment of a v2/v3.0 order) omits the amount, a v3.x order shows 0.
    private static long? Remaining(string generation) => generation == "v3.1" ? 0 : null;

    private async Task StepAndPostAsync(Guid id, string step, long? amount = null) =>
        await PostAsync((await fixture.PayEx.StepAsync(id, step, amount)).Callback);

    private async Task PostAsync(string callback)
    {
        using var response = await fixture.PostCallbackAsync(callback);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The payment as GET payments/{id} answers it once it has reached <paramref name="version"/>; it must not have gone past it.</summary>
    private async Task<JsonObject> StatusAsync(Guid id, long version)
    {
        var payment = await Eventually.GetAsync(
            async () =>
            {
                using var response = await fixture.App.Http.GetAsync($"/api/payments/{id}");
                return response.StatusCode == HttpStatusCode.OK && JsonNode.Parse(await response.Content.ReadAsStringAsync()) is JsonObject body && body["version"]!.GetValue<long>() >= version
                    ? body
                    : null;
            },
            $"payment {id} at version {version}");
        Assert.Equal(version, payment["version"]!.GetValue<long>());
        return payment;
    }
}
