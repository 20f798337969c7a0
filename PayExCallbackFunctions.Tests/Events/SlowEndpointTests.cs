using PayExCallbackFunctions.Tests.Api;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Events;

/// <summary>
/// An endpoint that takes a request and never answers holds back no callback: under the host, processing one callback at
/// a time, the payments' changes are stored and their queue events sent one after another while each webhook hangs
/// (were the invocation to wait for the webhook's 15 seconds, the third would be stored after 30).
/// </summary>
public class SlowEndpointTests
{
    [Fact]
    public async Task A_webhook_that_never_answers_holds_back_no_other_payment_or_sink()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var release = new CancellationTokenSource();
        var cutOff = 0;
        receiver.Answer = async context =>
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, release.Token);
            await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            if (context.RequestAborted.IsCancellationRequested)
            {
                Interlocked.Increment(ref cutOff);
            }
        };
        await using var app = await RunningApp.StartAsync(settings =>
        {
            settings["Events__Webhooks__0__Url"] = receiver.Url.ToString();
            settings["Events__Webhooks__0__Secret"] = WebhookDeliveryTests.Secret;
            settings["Events__AllowPrivateNetworks"] = "true";
            // One callback at a time: a callback that waited for the webhook would hold every one behind it.
            settings["AzureFunctionsJobHost__extensions__queues__batchSize"] = "1";
            settings["AzureFunctionsJobHost__extensions__queues__newBatchThreshold"] = "0";
        });
        var orders = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var order = await app.PayEx.CreatePaymentAsync("v3.1", orderReference: $"slow-{i}");
            await app.StepAndPostAsync(order.Id, "authorize");
            orders.Add(order.Id);
        }

        // Every change stored before the app cut off any webhook (after its 15 seconds): none waited for one.
        var within = TimeSpan.FromSeconds(60);
        await Eventually.TrueAsync(async () => (await Task.WhenAll(orders.Select(async id => (await Payments.PaymentWriterTests.StatusAsync(app.Storage, id))?.Version == 1))).All(x => x), "the three changes stored", within);
        Assert.Equal(0, Volatile.Read(ref cutOff));
        await Eventually.TrueAsync(async () => await app.Storage.Events.ExistsAsync() && (await app.Storage.Events.PeekMessagesAsync(32)).Value.Length == 3, "the three queue events", within);
        await Eventually.TrueAsync(() => Task.FromResult(receiver.Requests.Count == 3), "the three webhooks under way", within);
        await release.CancelAsync();
    }
}
