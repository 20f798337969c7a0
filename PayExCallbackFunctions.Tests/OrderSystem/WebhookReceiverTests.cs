using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PayExCallbackFunctions.OrderSystem.Orders;
using PayExCallbackFunctions.Tests.Infrastructure;
using static PayExCallbackFunctions.Tests.OrderSystem.PaymentEventsFixture;

namespace PayExCallbackFunctions.Tests.OrderSystem;

/// <summary>
/// The sample order system's webhook, over HTTP: a delivery signed with a configured secret within the tolerance is
/// applied and answered 204; any other is answered 401 problem+json and changes nothing.
/// </summary>
public class WebhookReceiverTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 1, 32, 45, TimeSpan.Zero);

    [Fact]
    public async Task A_signed_captured_event_captures_the_order_and_writes_one_receipt()
    {
        await using var orders = await OrderSystemHost.StartAsync();
        var payment = Guid.NewGuid();

        using var response = await PostAsync(orders, Event(payment, 2, "captured", "authorized", captured: 1500));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var order = await orders.OrderAsync(payment);
        Assert.NotNull(order);
        Assert.Equal((OrderStates.Captured, "captured", "549213", 1500L, 2L, false), (order.State, order.PaymentStatus, order.OrderReference, order.CapturedAmount, order.Sequence, order.PartiallyCaptured));
        var receipt = Assert.Single(await orders.ReceiptsAsync());
        Assert.Equal((EventId(payment, 2), "549213", payment, 1500L, 1500L, "SEK"), (receipt.EventId, receipt.OrderReference, receipt.Payment, receipt.Captured, receipt.TotalCaptured, receipt.Currency));
        Assert.True(File.Exists(Path.Combine(orders.DataDirectory, "receipts", $"{EventId(payment, 2)}.json")));
        Assert.True(File.Exists(Path.Combine(orders.DataDirectory, "orders", $"{payment:D}.json")));
        Assert.Equal(Json(order), Json(Assert.Single(await orders.OrdersAsync())));
    }

    public static TheoryData<string> Refusals => ["tampered body", "timestamp 6 minutes old", "timestamp 6 minutes ahead", "wrong secret", "no webhook-signature", "no webhook-id", "no webhook-timestamp"];

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_delivery_not_verified_is_refused_401_and_changes_nothing(string how)
    {
        var time = new FakeTimeProvider(Now);
        await using var orders = await OrderSystemHost.StartAsync(timeProvider: time);
        var payment = Guid.NewGuid();
        await DeliverAsync(orders, Event(payment, 1, "authorized"), sentAt: Now);
        var before = await orders.OrderAsync(payment);

        var captured = Event(payment, 2, "captured", "authorized", captured: 1500);
        using var response = await PostAsync(
            orders,
            captured,
            secret: how == "wrong secret" ? OrderSystemHost.NewSecret() : null,
            sentAt: how switch { "timestamp 6 minutes old" => Now.AddMinutes(-6), "timestamp 6 minutes ahead" => Now.AddMinutes(6), _ => Now },
            tamper: request =>
            {
                switch (how)
                {
                    case "tampered body":
                        request.Content = new StringContent(captured.Replace("\"capturedAmount\":1500", "\"capturedAmount\":15000"), Encoding.UTF8, "application/cloudevents+json");
                        break;
                    case "no webhook-signature" or "no webhook-id" or "no webhook-timestamp":
                        request.Headers.Remove(how[3..]);
                        break;
                }
            });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal((401, "Signature not verified"), (problem!.Status, problem.Title));
        Assert.False(string.IsNullOrEmpty(problem.Detail));
        Assert.Equal(Json(before), Json(await orders.OrderAsync(payment)));
        Assert.Equal(OrderStates.Paid, before!.State);
        Assert.Empty(await orders.ReceiptsAsync());
    }

    [Fact]
    public async Task A_delivery_signed_with_the_second_secret_while_rotating_is_applied()
    {
        var (old, next) = (OrderSystemHost.NewSecret(), OrderSystemHost.NewSecret());
        await using var orders = await OrderSystemHost.StartAsync(secrets: [old, next]);
        var payment = Guid.NewGuid();

        await DeliverAsync(orders, Event(payment, 1, "authorized"), secret: next);

        Assert.Equal(OrderStates.Paid, (await orders.OrderAsync(payment))?.State);
    }

    [Fact]
    public async Task A_body_over_256_KiB_is_refused_413_without_being_applied()
    {
        await using var orders = await OrderSystemHost.StartAsync();
        var payment = Guid.NewGuid();
        var padded = Event(payment, 1, "authorized").Replace("\"549213\"", $"\"{new string('x', 300 * 1024)}\"");

        using var response = await PostAsync(orders, padded);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("Body too large", (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Title);
        Assert.Null(await orders.OrderAsync(payment));
    }

    [Fact]
    public async Task A_signed_body_that_is_not_an_event_is_refused_400_naming_what_is_wrong()
    {
        await using var orders = await OrderSystemHost.StartAsync();
        var payment = Guid.NewGuid();

        using var response = await PostAsync(orders, Event(payment, 1, "authorized").Replace(payment.ToString("D") + "\"", "../../etc\""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal(("Not a payment event", "subject is not a payment id."), (problem!.Title, problem.Detail));
        Assert.Empty(await orders.OrdersAsync());
    }

    [Fact]
    public async Task An_unknown_order_is_404_problem()
    {
        await using var orders = await OrderSystemHost.StartAsync();

        using var response = await orders.Http.GetAsync($"/orders/{Guid.NewGuid():D}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("No such order", (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Title);
    }

    [Fact]
    public async Task A_malformed_secret_fails_start_naming_the_setting_and_not_the_secret()
    {
        const string bad = "whsec_tooShort";
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => OrderSystemHost.StartAsync(secrets: [OrderSystemHost.NewSecret(), bad]));

        Assert.Contains("OrderSystem:WebhookSecrets:1 is not a Standard Webhooks secret", failure.Message);
        Assert.DoesNotContain(bad, failure.Message);
    }
}
