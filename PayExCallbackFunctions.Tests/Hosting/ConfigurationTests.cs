using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Hosting;

/// <summary>A missing or malformed setting stops start-up with a message that names it.</summary>
public class ConfigurationTests
{
    public static TheoryData<string, string?, string> BadSettings => new()
    {
        { "PayEx__BaseUrl", null, "PayEx__BaseUrl is required" },
        { "PayEx__BaseUrl", "not a url", "PayEx__BaseUrl is required" },
        { "PayEx__BaseUrl", "http://api.payex.com", "PayEx__BaseUrl must use https" },
        { "PayEx__BaseUrl", "https://api.payex.com/psp/", "PayEx__BaseUrl must be a host only" },
        { "PayEx__Token", null, "PayEx__Token is required" },
        { "AzureWebJobsStorage", null, "AzureWebJobsStorage is required" },
        { "AzureWebJobsStorage", "AccountName=x;Garbage", "AzureWebJobsStorage is not a valid storage connection string" },
        { "Storage__CallbackQueue", "Bad_Name", "Storage__CallbackQueue 'Bad_Name' is not a valid queue name" },
        { "Storage__PaymentsTable", "1x", "Storage__PaymentsTable '1x' is not a valid table name" },
        { "Callbacks__MaxBodyBytes", "10", "MaxBodyBytes" },
        { "Storage__DeadLettersTable", "Bad-Name", "Storage__DeadLettersTable 'Bad-Name' is not a valid table name of its own" },
        { "Retry__Schedule", "soon", "Retry__Schedule 'soon' must be a comma-separated list of TimeSpans" },
        { "Retry__MaxAttempts", "0", "Retry__MaxAttempts must be between 1 and 1000" },
        { "PayEx__QuickRetries", "9", "PayEx__QuickRetries must be between 0 and 5" },
        { "AzureFunctionsJobHost__extensions__queues__batchSize", "64", "batchSize must be between 1 and 32" },
        { "FUNCTIONS_CUSTOMHANDLER_PORT", "http", "FUNCTIONS_CUSTOMHANDLER_PORT must be a TCP port number" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_start_up_naming_it(string setting, string? value, string message)
    {
        await using var payEx = await StandIn.StartAsync();
        var storage = await TestStorage.CreateAsync();
        var settings = storage.Settings(payEx);
        settings[setting] = value;
        if (value is null)
        {
            settings.Remove(setting);
        }

        await using var app = AppProcess.Launch(settings);
        Assert.NotEqual(0, await app.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(message, app.Output);
        Assert.DoesNotContain(payEx.Token, app.Output);
    }

    [Fact]
    public async Task Under_the_Functions_host_the_queue_name_must_be_set_because_the_trigger_reads_it()
    {
        await using var payEx = await StandIn.StartAsync();
        var settings = (await TestStorage.CreateAsync()).Settings(payEx);
        settings.Remove("Storage__CallbackQueue");

        await using var app = AppProcess.Launch(settings, customHandler: true);
        Assert.NotEqual(0, await app.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Storage__CallbackQueue must be set under the Functions host", app.Output);
    }

    [Fact]
    public async Task An_identity_based_storage_connection_is_accepted_at_start()
    {
        await using var payEx = await StandIn.StartAsync();
        var storage = await TestStorage.CreateAsync();
        var settings = storage.Settings(payEx);
        settings.Remove("AzureWebJobsStorage");
        settings["AzureWebJobsStorage__accountName"] = "examplestorage";

        await using var app = AppProcess.Launch(settings);
        await Eventually.TrueAsync(async () =>
        {
            Assert.False(app.HasExited, app.Output);
            try
            {
                return (await app.Http.GetAsync("/healthz")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the app to start");
    }
}
