using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.Tests.Api;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Tracking;

/// <summary>
/// Tracking when things go wrong, each test with an app of its own: the instance lost while checks are scheduled,
/// PayEx failing during checks, and many checks due at once against the rate limit.
/// </summary>
public class TrackingFailureTests
{
    [Fact]
    public async Task Checks_scheduled_when_the_whole_instance_dies_are_made_by_the_next_one()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        var settings = storage.Settings(payEx);
        foreach (var (key, value) in TrackingApp.Settings(stepSeconds: 3, checksPerSecond: 100))
        {
            settings[key] = value;
        }

        var orders = new List<Guid>();
        // Its sweep off: however slowly the registrations go, none of their checks is made before the instance is lost.
        var lost = new Dictionary<string, string?>(settings) { ["AzureWebJobs.SweepPayExChecks.Disabled"] = "true" };
        await using (var first = await HostProcess.StartAsync(lost))
        {
            for (var i = 0; i < 5; i++)
            {
                var order = await payEx.CreatePaymentAsync("v3.1");
                using var response = await first.Http.PostAsync("/api/payments", PaymentsApiClient.Json(new { paymentOrder = order.PaymentOrder }));
                Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
                orders.Add(order.Id);
            }

            // Lost before any check came due: nothing was asked of PayEx.
            first.KillHost();
        }

        Assert.DoesNotContain(payEx.State.Requests, r => r.Method == "GET");
        foreach (var id in orders)
        {
            await payEx.StepAsync(id, "authorize");
        }

        await using var second = await HostProcess.StartAsync(settings);
        foreach (var id in orders)
        {
            await Eventually.TrueAsync(async () =>
            {
                using var response = await second.Http.GetAsync($"/api/payments/{id:D}");
                var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync());
                return body?["status"]?.GetValue<string>() == "authorized";
            }, $"payment order {id} to be checked by the new instance");
        }
    }

    [Fact]
    public async Task A_check_PayEx_fails_is_retried_then_dead_lettered_as_a_callback_is_and_tracking_goes_on()
    {
        await using var app = await RunningApp.StartAsync(s =>
        {
            foreach (var (key, value) in TrackingApp.Settings(stepSeconds: 3, checksPerSecond: 100))
            {
                s[key] = value;
            }

            s["PayEx__QuickRetries"] = "0";
            s["Retry__MaxAttempts"] = "3";
        });
        var order = await app.PayEx.CreatePaymentAsync("v3.1");
        var fault = new Fault { Path = order.PaymentOrder, Status = 503, Remaining = int.MaxValue };
        app.PayEx.State.AddFault(fault);
        await app.RegisterAsync(new { paymentOrder = order.PaymentOrder });

        var deadLetter = await Eventually.GetAsync(async () => (await app.Storage.DeadLettersAsync()).FirstOrDefault(), "a check's dead letter", TimeSpan.FromSeconds(60));

        Assert.StartsWith("check-", deadLetter.RowKey, StringComparison.Ordinal);
        Assert.Equal("Exhausted", deadLetter.GetString("Origin"));
        Assert.Equal(3, deadLetter.GetInt32("Attempts"));
        Assert.Contains("503", deadLetter.GetString("Reason"), StringComparison.Ordinal);
        // Tracking goes on: once PayEx answers, the next check reads the payment.
        app.PayEx.State.ClearFaults();
        await app.PayEx.StepAsync(order.Id, "authorize");
        var authorized = await app.WaitForStatusAsync(order.Id, "authorized");
        Assert.True(authorized["tracking"]!["tracked"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Many_checks_due_at_once_begin_no_faster_than_the_rate_limit()
    {
        const int perSecond = 4;
        await using var app = await RunningApp.StartAsync(s =>
        {
            foreach (var (key, value) in TrackingApp.Settings(stepSeconds: 3, checksPerSecond: perSecond))
            {
                s[key] = value;
            }

            // Two checks at a time: a storage stall holds back at most two, so at most two GETs bunch after it.
            s["Tracking__Concurrency"] = "2";
        });
        var orders = new List<Guid>();
        for (var i = 0; i < 24; i++)
        {
            var order = await app.PayEx.CreatePaymentAsync("v3.1");
            await app.RegisterAsync(new { paymentOrder = order.PaymentOrder });
            orders.Add(order.Id);
        }

        // Every payment checked once: registered within a second or two, all came due within as long.
        var gets = await Eventually.GetAsync(() =>
        {
            var all = orders.Select(id => app.GetsOf(id)).ToArray();
            return Task.FromResult(all.All(g => g.Count > 0) ? all.SelectMany(g => g).Order().ToArray() : null);
        }, "every payment's first check", TimeSpan.FromSeconds(60));

        // The stand-in sees a check's GET, not its beginning: the status read before it can stall on a busy machine and
        // let a few arrive together (CI saw 8 in one second and 15 in three). So the measures are ones a stall moves
        // little: the median gap between first checks (a quarter second at 4 a second; without the limit all 24 come
        // within a second or two, milliseconds apart), their spread (about 6 s), and the busiest 3 s with room for a
        // stalled second on top of the 13 slots' beginnings a 3 s window can hold.
        var firsts = orders.Select(id => app.GetsOf(id)[0]).Order().ToArray();
        var gaps = firsts.Zip(firsts.Skip(1), (earlier, later) => later - earlier).Order().ToArray();
        Assert.True(gaps[gaps.Length / 2] >= TimeSpan.FromSeconds(0.5 / perSecond), $"median gap {gaps[gaps.Length / 2].TotalMilliseconds:F0} ms");
        Assert.True(firsts[^1] - firsts[0] >= TimeSpan.FromSeconds(4), $"24 checks in {(firsts[^1] - firsts[0]).TotalSeconds:F1} s");
        Assert.InRange(gets.Max(start => gets.Count(at => at >= start && at < start.AddSeconds(3))), 1, (4 * perSecond) + 2);
    }
}
