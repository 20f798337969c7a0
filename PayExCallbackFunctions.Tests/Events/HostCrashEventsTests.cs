using PayExCallbackFunctions.Tests.Api;
using PayExCallbackFunctions.Tests.Infrastructure;
using PayExCallbackFunctions.Tests.Tracking;

namespace PayExCallbackFunctions.Tests.Events;

/// <summary>
/// The outbox under the host: the host killed after a change was committed and while its event was being delivered; a
/// new host's relay delivers it.
/// </summary>
public class HostCrashEventsTests
{
    [Fact]
    public async Task The_host_killed_between_the_commit_and_the_delivery_loses_no_event()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var delivering = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The endpoint takes the request and never answers: the change is committed, its delivery under way.
        receiver.Answer = async context =>
        {
            delivering.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        };
        var settings = new Dictionary<string, string?>(TrackingApp.Settings(stepSeconds: 60, checksPerSecond: 100))
        {
            ["Events__QueueEnabled"] = "false",
            ["Events__Webhooks__0__Url"] = receiver.Url.ToString(),
            ["Events__Webhooks__0__Secret"] = WebhookDeliveryTests.Secret,
            ["Events__AllowPrivateNetworks"] = "true",
            ["Events__RelayAfterSeconds"] = "2",
        };
        await using var app = await RunningApp.StartAsync(s => { foreach (var (k, v) in settings) { s[k] = v; } });
        var order = await app.PayEx.CreatePaymentAsync("v3.1", amount: 1500, orderReference: "crash-1");

        await app.StepAndPostAsync(order.Id, "authorize");
        await delivering.Task.WaitAsync(TimeSpan.FromSeconds(60));
        app.App.KillHost();
        await app.App.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True((await app.Storage.RowsAsync(order.Id)).Single(r => r.RowKey == "event-0000000000000000001").GetBoolean("PendingWebhook0"));

        receiver.Answer = context =>
        {
            context.Response.StatusCode = 204;
            return Task.CompletedTask;
        };
        var settingsAgain = app.Storage.Settings(app.PayEx);
        foreach (var (k, v) in settings)
        {
            settingsAgain[k] = v;
        }

        await using var again = await HostProcess.StartAsync(settingsAgain);
        await Eventually.TrueAsync(
            async () => (await app.Storage.RowsAsync(order.Id)).Single(r => r.RowKey == "event-0000000000000000001").GetBoolean("PendingWebhook0") == false,
            "the new host's relay to deliver the event",
            TimeSpan.FromSeconds(90));
        Assert.All(receiver.EventIds, id => Assert.Equal($"{order.Id:D}-v1", id));
    }
}
