using System.Net;
using PayExCallbackFunctions.Telemetry;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Telemetry;

/// <summary>Liveness says the process answers; readiness says callbacks can be acknowledged (storage answers).</summary>
public class HealthTests
{
    [Fact]
    public async Task With_storage_up_the_app_is_live_and_ready_and_needs_no_key_for_either()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        await using var app = await AppProcess.StartAsync(storage.Settings(payEx));

        foreach (var path in new[] { HealthEndpoints.Live, HealthEndpoints.LegacyLive, HealthEndpoints.Ready })
        {
            using var response = await app.Raw.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task With_storage_down_the_app_is_live_but_not_ready_and_ready_again_when_storage_returns()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var azurite = await Azurite.StartAsync();
        await using var storage = await TestStorage.CreateAsync(azurite);
        await using var app = await AppProcess.StartAsync(storage.Settings(payEx));
        using (var ready = await app.Raw.GetAsync(HealthEndpoints.Ready))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        azurite.Stop();
        using (var ready = await app.Raw.GetAsync(HealthEndpoints.Ready))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
        }

        using (var live = await app.Raw.GetAsync(HealthEndpoints.Live))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        await azurite.RestartAsync();
        await Eventually.TrueAsync(async () => (await app.Raw.GetAsync(HealthEndpoints.Ready)).StatusCode == HttpStatusCode.OK, "readiness once storage is back");
    }

    [Fact]
    public async Task A_missing_queue_or_table_does_not_make_the_app_unready_since_the_app_creates_them_when_needed()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        await using var app = await AppProcess.StartAsync(storage.Settings(payEx));
        await Eventually.TrueAsync(async () => (await app.Raw.GetAsync(HealthEndpoints.Ready)).StatusCode == HttpStatusCode.OK, "readiness");

        await storage.Table.DeleteAsync();
        await storage.Queue.DeleteIfExistsAsync();

        using var ready = await app.Raw.GetAsync(HealthEndpoints.Ready);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
