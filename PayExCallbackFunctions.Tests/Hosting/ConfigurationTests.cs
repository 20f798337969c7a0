using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Hosting;

/// <summary>
/// A missing or malformed setting stops start-up with a message that names it: checked on the app's
/// own services (fast), and once under the host, where the worker fails to start and the host gives up.
/// </summary>
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
        { "PayExCallbackQueue", "Bad_Name", "PayExCallbackQueue 'Bad_Name' is not a valid queue name" },
        { "PayExCallbackQueue", null, "PayExCallbackQueue must be set" },
        { "Storage__CallbackQueue", "other-callbacks", "Storage__CallbackQueue 'other-callbacks' and PayExCallbackQueue 'payex-callbacks' differ" },
        { "Storage__PaymentsTable", "1x", "Storage__PaymentsTable '1x' is not a valid table name" },
        { "Callbacks__MaxBodyBytes", "10", "MaxBodyBytes" },
        { "Callbacks__MaxRejectedPerDay", "0", "MaxRejectedPerDay" },
        { "Storage__DeadLettersTable", "Bad-Name", "Storage__DeadLettersTable 'Bad-Name' is not a valid table name of its own" },
        { "Retry__Schedule", "soon", "Retry__Schedule 'soon' must be a comma-separated list of TimeSpans" },
        { "Storage__AnswerTimeoutSeconds", "0", "Storage__AnswerTimeoutSeconds must be between 1 and 60" },
        { "Retry__MaxAttempts", "0", "Retry__MaxAttempts must be between 1 and 1000" },
        { "PayEx__QuickRetries", "9", "PayEx__QuickRetries must be between 0 and 5" },
        { "Storage__RejectedCallbacksTable", "Bad-Name", "Storage__RejectedCallbacksTable 'Bad-Name' is not a valid table name of its own" },
        { "Access__AllowedNetworks", "20.91.170.120/29, 91.132.170.1/24", "Access__AllowedNetworks: '91.132.170.1/24' is not an IP address or a CIDR range" },
        { "Access__SigningSecret", "too-short", "Access__SigningSecret must be at least 32 characters" },
        { "Access__PreviousSigningSecret", "previous-secret-previous-secret-0123", "Access__PreviousSigningSecret is set without Access__SigningSecret" },
        { "Access__RequireSignature", "true", "Access__RequireSignature is on but Access__SigningSecret is not set" },
        { "PayEx__Token", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/payex-token/)", "PayEx__Token: Key Vault reference not resolved" },
        { "Access__SigningSecret", " @Microsoft.KeyVault(VaultName=kv;SecretName=access-signing-secret)", "Access__SigningSecret: Key Vault reference not resolved" },
        { "PayExTrackingSweep", null, "PayExTrackingSweep must be set to a CRON schedule with seconds" },
        { "Tracking__Schedule", "hourly", "Tracking__Schedule 'hourly' must be a comma-separated list of TimeSpans" },
        { "Tracking__Schedule", "00:00:00.5", "Tracking__Schedule's delays must each be at least 1 second and at most 7 days" },
        { "Tracking__MaxAgeDays", "0", "Tracking__MaxAgeDays must be more than 0 and at most 365" },
        { "Tracking__WatchDays", "-1", "Tracking__WatchDays must be between 0 and 365" },
        { "Tracking__ChecksPerSecond", "0", "Tracking__ChecksPerSecond must be between 0.01 and 1000" },
        { "Tracking__Concurrency", "0", "Tracking__Concurrency must be between 1 and 64" },
        { "Storage__PaymentChecksTable", "PayExPayments", "Storage__PaymentChecksTable 'PayExPayments' is not a valid table name of its own" },
        { "Events__Queue", "Bad_Queue", "Events__Queue 'Bad_Queue' is not a valid queue name" },
        { "Events__RetrySchedule", "soon", "Events__RetrySchedule 'soon' must be 1-30 comma-separated TimeSpans" },
        { "Events__Webhooks__0__Url", "https://10.0.0.1/hook", "Events__Webhooks__0__Url points at a private, loopback or link-local address" },
        { "Events__Webhooks__0__Url", "https://orders.example.com/hook", "Events__Webhooks__0__Secret must be whsec_" },
        { "Events__Webhooks__0__Secret", "whsec_dG9vLXNob3J0LXNlY3JldA==", "Events__Webhooks__0__Secret must be whsec_ followed by the base64 of 24-64 random bytes" },
    };

    private static Dictionary<string, string?> GoodSettings() => new()
    {
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        ["PayExCallbackQueue"] = "payex-callbacks",
        ["PayExTrackingSweep"] = "*/30 * * * * *",
        ["Storage__PaymentsTable"] = "PayExPayments",
        ["Storage__DeadLettersTable"] = "PayExDeadLetters",
        ["Storage__RejectedCallbacksTable"] = "PayExRejectedCallbacks",
        ["PayEx__BaseUrl"] = "https://api.externalintegration.payex.com",
        ["PayEx__Token"] = "a-payex-token-for-the-test",
    };

    /// <summary>The app's services on <paramref name="settings"/>, as its Main builds them for the worker.</summary>
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Development" });
        // As the environment variables they are: Section__Key is Section:Key.
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)));
        // The app's Program (the stand-in has one too): what its Main adds to the worker's builder.
        typeof(PayExCallbackFunctions.Telemetry.TelemetryServices).Assembly.GetType("Program")!.GetMethod("AddFeatures")!.Invoke(null, [builder]);
        return builder.Build();
    }

    private static StorageOptions Options(Dictionary<string, string?> settings)
    {
        using var host = Build(settings);
        return host.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
    }

    /// <summary>What start-up validation says of <paramref name="settings"/>: null if it accepts them.</summary>
    private static string? Validate(Dictionary<string, string?> settings)
    {
        using var host = Build(settings);
        try
        {
            host.Services.GetRequiredService<IStartupValidator>().Validate();
            return null;
        }
        catch (OptionsValidationException e)
        {
            return e.Message;
        }
        catch (AggregateException e)
        {
            return string.Join('\n', e.InnerExceptions.Select(i => i.Message));
        }
    }

    [Fact]
    public void The_settings_the_tests_use_are_accepted() => Assert.Null(Validate(GoodSettings()));

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void A_bad_setting_stops_start_up_naming_it(string setting, string? value, string message)
    {
        var settings = GoodSettings();
        settings[setting] = value;
        if (value is null)
        {
            settings.Remove(setting);
        }

        var failure = Validate(settings);

        Assert.NotNull(failure);
        Assert.Contains(message, failure);
        Assert.DoesNotContain("a-payex-token-for-the-test", failure);
        if ((setting.StartsWith("Access__", StringComparison.Ordinal) || setting.EndsWith("Secret", StringComparison.Ordinal)) && !setting.Contains("Networks", StringComparison.Ordinal) && value is { Length: > 5 })
        {
            // A secret that is set wrongly is still a secret: the message names the setting only.
            Assert.DoesNotContain(value, failure);
        }
    }

    [Fact]
    public void A_deployment_that_still_names_the_queue_by_the_former_setting_stops_saying_which_setting_replaced_it()
    {
        var settings = GoodSettings();
        settings.Remove("PayExCallbackQueue");
        settings["Storage__CallbackQueue"] = "merchant-callbacks";

        var failure = Validate(settings);

        // Not the default queue silently, while the triggers could not resolve theirs.
        Assert.NotNull(failure);
        Assert.Contains("Storage__CallbackQueue was renamed PayExCallbackQueue: set PayExCallbackQueue=merchant-callbacks", failure);
    }

    [Fact]
    public void The_former_setting_left_beside_the_new_one_with_the_same_queue_is_accepted()
    {
        var settings = GoodSettings();
        settings["Storage__CallbackQueue"] = settings["PayExCallbackQueue"];

        Assert.Null(Validate(settings));
    }

    [Fact]
    public void The_app_uses_the_queue_the_triggers_read()
    {
        var settings = GoodSettings();
        settings["PayExCallbackQueue"] = "merchant-callbacks";

        Assert.Equal("merchant-callbacks", Options(settings).CallbackQueue);
    }

    [Fact]
    public void An_identity_based_storage_connection_is_accepted()
    {
        var settings = GoodSettings();
        settings.Remove("AzureWebJobsStorage");
        settings["AzureWebJobsStorage__accountName"] = "examplestorage";

        Assert.Null(Validate(settings));
    }

    [Fact]
    public async Task Under_the_host_a_bad_setting_keeps_the_worker_from_starting_and_func_exits_saying_why()
    {
        await using var payEx = await StandIn.StartAsync();
        var settings = (await TestStorage.CreateAsync()).Settings(payEx);
        settings["Retry__MaxAttempts"] = "0";

        await using var app = HostProcess.Launch(settings);

        // The host restarts a worker that fails to start a few times, then gives up; the reason is in its log.
        await app.WaitForOutputAsync("Retry__MaxAttempts must be between 1 and 1000", TimeSpan.FromSeconds(120));
        Assert.DoesNotContain(payEx.Token, app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_the_host_a_webhook_secret_that_is_not_a_standard_webhooks_secret_stops_start_up_naming_it_not_saying_it()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        var settings = storage.Settings(payEx);
        settings["Events__Webhooks__0__Url"] = "https://orders.example.com/payex";
        settings["Events__Webhooks__0__Secret"] = "orders-webhook-password-1234";

        await using var app = HostProcess.Launch(settings);

        await app.WaitForOutputAsync("Events__Webhooks__0__Secret must be whsec_", TimeSpan.FromSeconds(120));
        Assert.DoesNotContain("orders-webhook-password-1234", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_the_host_a_deployment_upgraded_with_the_former_queue_setting_does_not_start_and_names_the_new_one()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        var settings = storage.Settings(payEx);
        settings["Storage__CallbackQueue"] = settings["PayExCallbackQueue"];
        settings.Remove("PayExCallbackQueue");

        await using var app = HostProcess.Launch(settings);

        await app.WaitForOutputAsync("Storage__CallbackQueue was renamed PayExCallbackQueue", TimeSpan.FromSeconds(120));
    }
}
