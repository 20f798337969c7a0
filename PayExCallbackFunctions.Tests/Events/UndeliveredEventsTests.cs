using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using PayExCallbackFunctions.Tests.Api;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Events;

/// <summary>
/// Undelivered events under the host, as the operator meets them: an endpoint that says 410 Gone leaves the event
/// undelivered at once; the status page lists it with Replay and Discard, and so does the admin API; Replay, once the
/// endpoint is back, delivers it; Discard takes one off the list.
/// </summary>
public class UndeliveredEventsTests
{
    private const string Route = "/api/payex/status";
    private static readonly string Code = $"code={Uri.EscapeDataString(HostProcess.TestMasterKey)}";

    [Fact]
    public async Task An_event_an_endpoint_refused_as_gone_is_listed_replayed_from_the_status_page_and_another_discarded_by_the_admin_api()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = context =>
        {
            context.Response.StatusCode = StatusCodes.Status410Gone;
            return Task.CompletedTask;
        };
        await using var app = await RunningApp.StartAsync(settings =>
        {
            settings["Events__Webhooks__0__Url"] = receiver.Url.ToString();
            settings["Events__Webhooks__0__Secret"] = WebhookDeliveryTests.Secret;
            settings["Events__AllowPrivateNetworks"] = "true";
        });
        var first = await app.PayEx.CreatePaymentAsync("v3.1", orderReference: "gone-1");
        await app.StepAndPostAsync(first.Id, "authorize");
        var firstId = $"Webhook0.{first.Id:D}-v1";

        var listed = await Eventually.GetAsync(async () =>
        {
            var list = JsonNode.Parse(await app.App.Http.GetStringAsync("/api/payex/events/undelivered"))!;
            return list["undelivered"]!.AsArray().Any(u => u!["id"]!.GetValue<string>() == firstId) ? list : null;
        }, "the event to be undelivered");
        var sink = listed["sinks"]!.AsArray().Single(s => s!["sink"]!.GetValue<string>() == "Webhook0")!;
        Assert.Equal(1, sink["undelivered"]!.GetValue<int>());
        Assert.Contains("410", listed["undelivered"]![0]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        var page = await app.App.Raw.GetStringAsync($"{Route}?{Code}");
        Assert.Contains($"<tr data-id=\"{firstId}\">", page, StringComparison.Ordinal);
        Assert.Contains($"action=\"{Route}/events/{firstId}/replay?{Code}\"", page, StringComparison.Ordinal);
        Assert.Contains("id=\"events-undelivered\"", page, StringComparison.Ordinal);

        // The endpoint is back: the page's Replay delivers it, and the list is empty again.
        receiver.Answer = context =>
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        };
        using (var replay = await app.App.Raw.PostAsync($"{Route}/events/{firstId}/replay?{Code}", new FormUrlEncodedContent([])))
        {
            Assert.Equal(HttpStatusCode.SeeOther, replay.StatusCode);
            Assert.Contains("notice=EventReplayed", replay.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        // Sent by the replay, or, when the delivery that gave it up was still finishing, by that delivery once more.
        await Eventually.TrueAsync(() => Task.FromResult(receiver.EventIds.Count == 2), "the replayed event to be sent");
        Assert.Equal([$"{first.Id:D}-v1", $"{first.Id:D}-v1"], receiver.EventIds);
        Assert.DoesNotContain(firstId, await app.App.Http.GetStringAsync("/api/payex/events/undelivered"), StringComparison.Ordinal);

        // Another refused, then discarded through the admin API: off the list, and a second discard is a 404.
        receiver.Answer = context =>
        {
            context.Response.StatusCode = StatusCodes.Status410Gone;
            return Task.CompletedTask;
        };
        var second = await app.PayEx.CreatePaymentAsync("v3.1", orderReference: "gone-2");
        await app.StepAndPostAsync(second.Id, "authorize");
        var secondId = $"Webhook0.{second.Id:D}-v1";
        await Eventually.TrueAsync(async () => (await app.App.Http.GetStringAsync("/api/payex/events/undelivered")).Contains(secondId, StringComparison.Ordinal), "the second event to be undelivered");
        using (var discard = await app.App.Http.DeleteAsync($"/api/payex/events/undelivered/{secondId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, discard.StatusCode);
        }

        using (var again = await app.App.Http.DeleteAsync($"/api/payex/events/undelivered/{secondId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
            Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        }

        using (var bad = await app.App.Http.PostAsync("/api/payex/events/undelivered/not-an-id/replay", null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        Assert.DoesNotContain(secondId, await app.App.Http.GetStringAsync("/api/payex/events/undelivered"), StringComparison.Ordinal);
        Assert.Equal(2, receiver.EventIds.Count(id => id == $"{first.Id:D}-v1"));
    }
}
