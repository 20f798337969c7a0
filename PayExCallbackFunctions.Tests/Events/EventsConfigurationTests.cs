using System.Net;
using PayExCallbackFunctions.Events;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Events;

/// <summary>
/// Bad events settings fail at start, naming the setting and never a secret's value; webhooks reach no private, loopback or
/// link-local address unless allowed, whether the URL says it or its name resolves to it.
/// </summary>
public class EventsConfigurationTests
{
    [Theory]
    [InlineData("Url", "not a url?token=s3cr3t-token", "Production", "Events__Webhooks__0__Url must be an absolute https URL")]
    [InlineData("Url", "ftp://orders.example.com/hook", "Production", "must be an absolute https URL")]
    [InlineData("Url", "http://orders.example.com/hook", "Production", "Events__Webhooks__0__Url must be https (http only in Development)")]
    [InlineData("Url", "https://10.1.2.3/hook", "Production", "Events__Webhooks__0__Url points at a private, loopback or link-local address")]
    [InlineData("Url", "https://169.254.169.254/metadata", "Production", "points at a private, loopback or link-local address")]
    [InlineData("Url", "https://[::1]/hook", "Production", "points at a private, loopback or link-local address")]
    [InlineData("Url", "https://localhost/hook", "Production", "points at a private, loopback or link-local address")]
    [InlineData("Secret", "whsec_c2hvcnQ=", "Production", "Events__Webhooks__0__Secret must be whsec_ followed by the base64 of 24-64 random bytes")]
    [InlineData("Secret", "", "Production", "Events__Webhooks__0__Secret must be whsec_")]
    [InlineData("PreviousSecret", "plain-password-123", "Production", "Events__Webhooks__0__PreviousSecret, when set, must be whsec_")]
    public async Task A_bad_webhook_setting_fails_at_start_naming_it(string setting, string value, string environment, string expected)
    {
        await using var storage = await TestStorage.CreateAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Events:AllowPrivateNetworks"] = "false",
            ["Events:Webhooks:0:Url"] = "https://orders.example.com/hook",
            ["Events:Webhooks:0:Secret"] = WebhookDeliveryTests.Secret,
            [$"Events:Webhooks:0:{setting}"] = value,
        };
        using var parts = EventParts.Create(storage, settings, environment);

        var failure = Assert.Single(parts.Validate());

        Assert.Contains(expected, failure, StringComparison.Ordinal);
        // Neither a secret nor a URL (which may carry a token) is said back.
        if (value.Length > 0)
        {
            Assert.DoesNotContain(value, failure, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Good_settings_pass_and_http_and_private_addresses_are_taken_where_allowed()
    {
        await using var storage = await TestStorage.CreateAsync();
        using var https = EventParts.Create(storage, new() { ["Events:AllowPrivateNetworks"] = "false", ["Events:Webhooks:0:Url"] = "https://orders.example.com/hook", ["Events:Webhooks:0:Secret"] = WebhookDeliveryTests.Secret }, "Production");
        Assert.Empty(https.Validate());
        using var development = EventParts.Create(storage, new() { ["Events:Webhooks:0:Url"] = "http://127.0.0.1:5072/hook", ["Events:Webhooks:0:Secret"] = WebhookDeliveryTests.Secret }, "Development");
        Assert.Empty(development.Validate());
    }

    [Theory]
    [InlineData("RetrySchedule", "soon", "Events__RetrySchedule 'soon' must be 1-30 comma-separated TimeSpans")]
    [InlineData("RetrySchedule", "00:00:00", "Events__RetrySchedule")]
    [InlineData("Queue", "Not_A_Queue", "Events__Queue 'Not_A_Queue' is not a valid queue name")]
    [InlineData("RelayAfterSeconds", "0", "Events__RelayAfterSeconds must be between 1 and 3600")]
    public async Task Other_bad_events_settings_fail_at_start_naming_them(string setting, string value, string expected)
    {
        await using var storage = await TestStorage.CreateAsync();
        using var parts = EventParts.Create(storage, new() { [$"Events:{setting}"] = value });

        Assert.Contains(expected, Assert.Single(parts.Validate()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.0.0.5", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("2606:4700::1111", false)]
    public void Private_loopback_and_link_local_addresses_are_known(string address, bool isPrivate)
    {
        Assert.Equal(isPrivate, PrivateNetworks.Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_is_refused_as_it_is_connected_to_unless_allowed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // "localhost" by name: the check is made on what it resolves to, at connect time.
        var url = new UriBuilder(receiver.Url) { Host = "localhost" }.Uri;
        using var guarded = new HttpClient(new SocketsHttpHandler { ConnectCallback = WebhookConnections.Guard(allowPrivateNetworks: false), UseProxy = false });
        using var allowed = new HttpClient(new SocketsHttpHandler { ConnectCallback = WebhookConnections.Guard(allowPrivateNetworks: true), UseProxy = false });

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => guarded.PostAsync(url, new StringContent("{}")));
        Assert.Contains("Events__AllowPrivateNetworks", refused.Message, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);

        using var answer = await allowed.PostAsync(url, new StringContent("{}"));
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Single(receiver.Requests);
    }
}
