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
        { "Storage__RejectedCallbacksTable", "Bad-Name", "Storage__RejectedCallbacksTable 'Bad-Name' is not a valid table name of its own" },
        { "Access__CallbackKeys", "short", "Access__CallbackKeys: each key must be at least 16 characters" },
        { "Access__AdminKey", "has a space in it somewhere", "Access__AdminKey: each key must be at least 16 characters, without spaces" },
        { "Access__AllowedNetworks", "20.91.170.120/29, 91.132.170.1/24", "Access__AllowedNetworks: '91.132.170.1/24' is not an IP address or a CIDR range" },
        { "Access__TrustedProxies", "proxy.example", "Access__TrustedProxies: 'proxy.example' is not an IP address or a CIDR range" },
        { "Access__SigningSecret", "too-short", "Access__SigningSecret must be at least 32 characters" },
        { "Access__PreviousSigningSecret", "previous-secret-previous-secret-0123", "Access__PreviousSigningSecret is set without Access__SigningSecret" },
        { "Access__RequireSignature", "true", "Access__RequireSignature is on but Access__SigningSecret is not set" },
        { "Access__TrustedProxies", "0.0.0.0/0", "Access__TrustedProxies: a range wider than /8" },
        { "Access__TrustedProxies", "10.0.0.1, ::/0", "Access__TrustedProxies: a range wider than /8" },
        { "Admin__Key", "the-old-admin-key-setting", "Admin__Key is now Access__AdminKey" },
        { "PayEx__Token", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/payex-token/)", "PayEx__Token: Key Vault reference not resolved" },
        { "Access__SigningSecret", " @Microsoft.KeyVault(VaultName=kv;SecretName=access-signing-secret)", "Access__SigningSecret: Key Vault reference not resolved" },
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
        if ((setting.StartsWith("Access__", StringComparison.Ordinal) || setting == "Admin__Key") && !setting.Contains("Networks", StringComparison.Ordinal) && !setting.Contains("Proxies", StringComparison.Ordinal) && value is { Length: > 5 })
        {
            // A secret that is set wrongly is still a secret: the message names the setting only.
            Assert.DoesNotContain(value, app.Output);
        }
    }

    [Fact]
    public async Task Outside_Development_the_app_does_not_start_standalone_without_a_callback_key()
    {
        await using var payEx = await StandIn.StartAsync();
        var settings = (await TestStorage.CreateAsync()).Settings(payEx);
        settings.Remove("Access__CallbackKeys");
        settings["DOTNET_ENVIRONMENT"] = "Production";

        await using var app = AppProcess.Launch(settings);
        Assert.NotEqual(0, await app.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Access__CallbackKeys is required when the app runs without the Functions host", app.Output);
    }

    [Fact]
    public async Task Outside_Development_the_app_starts_standalone_with_a_callback_key_and_under_the_host_without_one()
    {
        await using var payEx = await StandIn.StartAsync();
        var settings = (await TestStorage.CreateAsync()).Settings(payEx);
        settings["DOTNET_ENVIRONMENT"] = "Production";
        await using (var standalone = await AppProcess.StartAsync(settings))
        {
            Assert.False(standalone.HasExited);
        }

        // The Functions host checks its own keys.
        settings.Remove("Access__CallbackKeys");
        await using var hosted = await AppProcess.StartAsync(settings, customHandler: true);
        Assert.False(hosted.HasExited);
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
