using System.Diagnostics;
using System.Net;
using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Api;

/// <summary>
/// The payments API end to end: PayEx (the stand-in) moves a payment, its callback reaches the app under the
/// host, and the order system reads the normalised status with the API's own key.
/// </summary>
public class PaymentsApiTests(PaymentsApiApp fixture) : IClassFixture<PaymentsApiApp>
{
    public static TheoryData<string, string, string[], long[]> Lives => new()
    {
        // generation, expected status, steps (amount 0: all that remains), their amounts; the payment is 1500.
        { "v3.1", "authorized", ["authorize"], [0] },
        { "v3.1", "partially_captured", ["authorize", "capture"], [0, 500] },
        { "v3.1", "captured", ["authorize", "capture"], [0, 0] },
        { "v3.1", "partially_reversed", ["authorize", "capture", "reverse"], [0, 0, 400] },
        { "v3.1", "reversed", ["authorize", "capture", "reverse"], [0, 0, 0] },
        { "v3.1", "cancelled", ["authorize", "cancel"], [0, 0] },
        { "v3.1", "failed", ["fail"], [0] },
        { "v1", "failed", ["fail"], [0] },
        { "v1", "captured", ["authorize", "capture"], [0, 0] },
        { "v1", "cancelled", ["authorize", "cancel"], [0, 0] },
    };

    [Theory]
    [MemberData(nameof(Lives))]
    public async Task The_API_reads_each_status_with_its_amounts(string generation, string expected, string[] steps, long[] amounts)
    {
        var payment = await fixture.PayEx.CreatePaymentAsync(generation, orderReference: generation == "v1" ? null : $"o-{Guid.NewGuid():N}"[..20]);
        for (var i = 0; i < steps.Length; i++)
        {
            await fixture.StepAndPostAsync(payment.Id, steps[i], amounts[i] == 0 ? null : amounts[i]);
        }

        // The callbacks may be read after PayEx moved on: the first GET can already see the last step.
        var body = await fixture.WaitForStatusAsync(payment.Id, expected);

        var (authorized, captured, cancelled, reversed) = expected switch
        {
            "authorized" => (1500L, 0L, 0L, 0L),
            "partially_captured" => (1500, 500, 0, 0),
            "captured" => (1500, 1500, 0, 0),
            "partially_reversed" => (1500, 1500, 0, 400),
            "reversed" => (1500, 1500, 0, 1500),
            "cancelled" => (1500, 0, 1500, 0),
            _ => (0, 0, 0, 0),
        };
        Assert.Equal((expected, authorized, captured, cancelled, reversed), PaymentsApiClient.Money(body));
        Assert.Equal(payment.Id.ToString("D"), body["id"]!.GetValue<string>());
        Assert.Equal(1500, body["amount"]!.GetValue<long>());
        Assert.Equal("SEK", body["currency"]!.GetValue<string>());
        Assert.Equal(payment.PaymentOrder ?? payment.Payment, body[payment.PaymentOrder is null ? "payment" : "paymentOrder"]!.GetValue<string>());
        Assert.NotNull(body["updated"]);
        Assert.True(body["checkedSecondsAgo"]!.GetValue<long>() >= 0);
    }

    [Fact]
    public async Task A_payment_whose_callbacks_PayEx_sends_itself_reads_each_step_through_the_API()
    {
        var callbackUrl = new Uri(fixture.App.BaseUrl, $"/api/payex/callbacks?code={Uri.EscapeDataString(fixture.App.CallbackKey)}");
        var order = await fixture.PayEx.CreatePaymentAsync("v3.1", callbackUrl: callbackUrl);

        await fixture.PayEx.StepAsync(order.Id, "authorize");
        await fixture.WaitForStatusAsync(order.Id, "authorized");
        await fixture.PayEx.StepAsync(order.Id, "capture", 1000);
        var body = await fixture.WaitForStatusAsync(order.Id, "partially_captured", 2);

        Assert.Equal(("partially_captured", 1500L, 1000L, 0L, 0L), PaymentsApiClient.Money(body));
    }

    [Fact]
    public async Task A_payment_that_PayEx_has_not_authorized_reads_pending_whatever_its_callback_said()
    {
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);
        await callback.AcknowledgeAsync(fixture.App);

        var body = await fixture.WaitForStatusAsync(callback.Payment, "pending");
        Assert.Equal(("pending", 0L, 0L, 0L, 0L), PaymentsApiClient.Money(body));
    }

    [Fact]
    public async Task Each_change_is_a_new_version_and_a_second_partial_capture_is_one_too()
    {
        var order = await fixture.PayEx.CreatePaymentAsync("v3.1");
        await fixture.StepAndPostAsync(order.Id, "authorize");
        await fixture.WaitForStatusAsync(order.Id, "authorized", 1);
        await fixture.StepAndPostAsync(order.Id, "capture", 500);
        await fixture.WaitForStatusAsync(order.Id, "partially_captured", 2);
        await fixture.StepAndPostAsync(order.Id, "capture", 300);

        var body = await fixture.WaitForStatusAsync(order.Id, "partially_captured", 3);
        Assert.Equal((3L, 800L, 700L), (body["version"]!.GetValue<long>(), body["capturedAmount"]!.GetValue<long>(), body["remainingCaptureAmount"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Payments_are_found_by_order_reference_and_by_payee_reference_and_not_by_another()
    {
        var orderReference = $"order-{Guid.NewGuid():N}"[..30];
        var payeeReference = Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var order = await fixture.PayEx.CreatePaymentAsync("v3.1", orderReference: orderReference, payeeReference: payeeReference);
        await fixture.StepAndPostAsync(order.Id, "authorize");
        await fixture.WaitForStatusAsync(order.Id, "authorized");

        foreach (var query in new[] { $"orderReference={orderReference}", $"payeeReference={payeeReference}" })
        {
            var (code, body) = await fixture.GetPaymentAsync($"/api/payments?{query}");
            Assert.Equal(HttpStatusCode.OK, code);
            var found = Assert.Single(body!["payments"]!.AsArray());
            Assert.Equal((order.Id.ToString("D"), "authorized", orderReference), (found!["id"]!.GetValue<string>(), found["status"]!.GetValue<string>(), found["orderReference"]!.GetValue<string>()));
        }

        var (otherCode, other) = await fixture.GetPaymentAsync($"/api/payments?orderReference={orderReference}x");
        Assert.Equal(HttpStatusCode.OK, otherCode);
        Assert.Empty(other!["payments"]!.AsArray());
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("v3.0")]
    public async Task A_payment_order_is_found_by_the_id_of_its_payment_too(string generation)
    {
        var order = await fixture.PayEx.CreatePaymentAsync(generation);
        var step = await fixture.StepAndPostAsync(order.Id, "authorize");
        var byOrder = await fixture.WaitForStatusAsync(order.Id, "authorized");
        var paymentId = Guid.Parse(step.CallbackJson["payment"]!["id"]!.GetValue<string>()[^36..]);

        var (code, byPayment) = await fixture.GetPaymentAsync($"/api/payments/{paymentId}");

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal(order.Id.ToString("D"), byPayment!["id"]!.GetValue<string>());
        Assert.Equal(byOrder["version"]!.GetValue<long>(), byPayment["version"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("v3.1")]
    [InlineData("v1")]
    [InlineData("v3.0")]
    [InlineData("v2")]
    public async Task A_refresh_asks_PayEx_now_and_answers_the_fresh_status_a_change_no_callback_told(string generation)
    {
        var order = await fixture.PayEx.CreatePaymentAsync(generation);
        await fixture.StepAndPostAsync(order.Id, "authorize");
        await WaitUntilOlderThanRefreshIntervalAsync(order.Id);
        // Captured at PayEx; its callback never comes.
        await fixture.PayEx.StepAsync(order.Id, "capture");

        var asked = Stopwatch.StartNew();
        var (code, body) = await fixture.RefreshAsync(order.Id);

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal(("captured", true), (body!["status"]!.GetValue<string>(), body["refresh"]!["refreshed"]!.GetValue<bool>()));
        Assert.Equal(2, body["version"]!.GetValue<long>());
        // Read while the request was under way (not before it, as the stored read was, at least the interval ago).
        Assert.InRange(body["checkedSecondsAgo"]!.GetValue<long>(), 0, (long)Math.Ceiling(asked.Elapsed.TotalSeconds));
    }

    [Fact]
    public async Task A_hundred_refreshes_at_once_cost_PayEx_one_GET()
    {
        var order = await fixture.PayEx.CreatePaymentAsync("v3.1");
        await fixture.StepAndPostAsync(order.Id, "authorize");
        await WaitUntilOlderThanRefreshIntervalAsync(order.Id);
        var before = fixture.PayEx.RequestsFor(order.PaymentOrder!);
        var burst = Stopwatch.StartNew();

        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => fixture.RefreshAsync(order.Id)));

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, "authorized"), (a.Code, a.Body!["status"]!.GetValue<string>())));
        // One GET per interval the burst took: one, unless a stalled machine stretched it past the interval.
        var intervals = (int)(burst.Elapsed.TotalSeconds / PaymentsApiApp.RefreshIntervalSeconds);
        Assert.InRange(fixture.PayEx.RequestsFor(order.PaymentOrder!) - before, 1, 1 + intervals);

        // Within the interval, a refresh is answered from the store and says why.
        var gets = fixture.PayEx.RequestsFor(order.PaymentOrder!);
        var sentAfter = burst.Elapsed;
        var (_, again) = await fixture.RefreshAsync(order.Id);
        if (intervals == 0 && sentAfter < TimeSpan.FromSeconds(PaymentsApiApp.RefreshIntervalSeconds))
        {
            Assert.False(again!["refresh"]!["refreshed"]!.GetValue<bool>());
            Assert.Contains("PayEx was asked", again["refresh"]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(gets, fixture.PayEx.RequestsFor(order.PaymentOrder!));
        }
    }

    [Fact]
    public async Task While_PayEx_fails_a_refresh_answers_from_the_store_and_says_how_old_it_is()
    {
        var order = await fixture.PayEx.CreatePaymentAsync("v3.1");
        await fixture.StepAndPostAsync(order.Id, "authorize");
        await WaitUntilOlderThanRefreshIntervalAsync(order.Id);
        fixture.PayEx.State.AddFault(new Fault { Path = order.PaymentOrder, Status = 503, Remaining = 20 });
        try
        {
            var (code, body) = await fixture.RefreshAsync(order.Id);

            Assert.Equal(HttpStatusCode.OK, code);
            Assert.Equal(("authorized", false), (body!["status"]!.GetValue<string>(), body["refresh"]!["refreshed"]!.GetValue<bool>()));
            Assert.Contains("503", body["refresh"]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.True(body["checkedSecondsAgo"]!.GetValue<long>() >= PaymentsApiApp.RefreshIntervalSeconds);
        }
        finally
        {
            fixture.PayEx.State.ClearFaults();
        }
    }

    [Fact]
    public async Task A_payment_stored_before_payments_had_a_status_gets_one_at_its_refresh()
    {
        var callback = new ExampleCallback();
        callback.Serve(fixture.PayEx);
        await callback.AcknowledgeAsync(fixture.App);
        await fixture.Storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
        // As an older version of the app left it: the resource rows, no status (and so no event).
        foreach (var row in (await fixture.Storage.RowsAsync(callback.Payment)).Where(r => r.RowKey == "status" || r.RowKey.StartsWith("event-", StringComparison.Ordinal)))
        {
            await fixture.Storage.Table.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }

        var (before, problem) = await fixture.GetPaymentAsync($"/api/payments/{callback.Payment}");
        Assert.Equal(HttpStatusCode.NotFound, before);
        Assert.Contains("POST payments/{id}/refresh gives it one", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        var (code, body) = await fixture.RefreshAsync(callback.Payment);

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal(("pending", true, 1L), (body!["status"]!.GetValue<string>(), body["refresh"]!["refreshed"]!.GetValue<bool>(), body["version"]!.GetValue<long>()));
        Assert.Equal(HttpStatusCode.OK, (await fixture.GetPaymentAsync($"/api/payments/{callback.Payment}")).Code);
    }

    private Task<System.Text.Json.Nodes.JsonObject> WaitUntilOlderThanRefreshIntervalAsync(Guid id) =>
        Eventually.GetAsync(async () =>
        {
            var (code, body) = await fixture.GetPaymentAsync($"/api/payments/{id}");
            return code == HttpStatusCode.OK && body!["checkedSecondsAgo"]!.GetValue<long>() >= PaymentsApiApp.RefreshIntervalSeconds ? body : null;
        }, $"payment {id} to be stored and last read more than the refresh interval ago");
}
