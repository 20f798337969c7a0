using System.Reflection;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Identity;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Telemetry;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Deployment;

/// <summary>
/// The Bicep in infra/: it compiles and lints clean, and what it would deploy keeps the promises of
/// the README: no shared keys, no secrets in app settings, only the roles the app needs, and the
/// names and settings the app reads.
/// </summary>
public partial class InfraTests(CompiledInfra infra) : IClassFixture<CompiledInfra>
{
    private JsonObject AppSettings()
    {
        var functionApp = infra.Module("functionapp");
        return functionApp["variables"]!["appSettings"]!.AsObject();
    }

    [Fact]
    public void Bicep_build_reports_no_error_or_warning()
    {
        Assert.Equal(0, infra.Build.ExitCode);
        Assert.Equal("", infra.Build.Output.Trim());
    }

    [Fact]
    public void Bicep_lint_reports_nothing()
    {
        Assert.Equal(0, infra.Lint.ExitCode);
        Assert.Equal("", infra.Lint.Output.Trim());
    }

    [Fact]
    public void The_storage_account_refuses_shared_keys_and_nothing_in_the_deployment_uses_one()
    {
        var account = Assert.Single(CompiledInfra.Resources(infra.Module("storage"), "Microsoft.Storage/storageAccounts"));

        Assert.False(account["properties"]!["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.False(account["properties"]!["allowBlobPublicAccess"]!.GetValue<bool>());
        var text = infra.Template.ToJsonString();
        Assert.DoesNotContain("listKeys", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AccountKey", text, StringComparison.Ordinal);
        // The host and the app both connect through the identity: no AzureWebJobsStorage connection string.
        Assert.False(AppSettings().ContainsKey("AzureWebJobsStorage"));
        Assert.Equal("managedidentity", AppSettings()["AzureWebJobsStorage__credential"]!.GetValue<string>());
        foreach (var setting in new[] { "AzureWebJobsStorage__clientId", "AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri" })
        {
            Assert.True(AppSettings().ContainsKey(setting), $"{setting} is not set");
        }
    }

    [Fact]
    public void The_queues_and_tables_deployed_are_the_apps_and_the_app_is_told_their_names()
    {
        var storage = infra.Module("storage")["variables"]!;
        var defaults = new StorageOptions();

        Assert.Equal(defaults.CallbackQueue, storage["callbackQueue"]!.GetValue<string>());
        Assert.Equal(defaults.PaymentsTable, storage["tables"]!["payments"]!.GetValue<string>());
        Assert.Equal(defaults.DeadLettersTable, storage["tables"]!["deadLetters"]!.GetValue<string>());
        Assert.Equal(defaults.RejectedCallbacksTable, storage["tables"]!["rejectedCallbacks"]!.GetValue<string>());
        Assert.Equal(defaults.PaymentReferencesTable, storage["tables"]!["paymentReferences"]!.GetValue<string>());
        Assert.Contains("-poison", infra.Module("storage").ToJsonString(), StringComparison.Ordinal);
        // Under the host the app refuses to start without the queue's name (the trigger reads it too).
        foreach (var setting in new[] { StorageOptions.CallbackQueueSetting, "Storage__PaymentsTable", "Storage__DeadLettersTable", "Storage__RejectedCallbacksTable", "Storage__PaymentReferencesTable" })
        {
            Assert.True(AppSettings().ContainsKey(setting), $"{setting} is not set");
        }
    }

    [Fact]
    public void Secrets_reach_the_app_only_as_key_vault_references_read_with_its_identity()
    {
        var settings = AppSettings();

        foreach (var secret in new[] { "PayEx__Token", "Access__SigningSecret", "Access__PreviousSigningSecret" })
        {
            Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0})'", settings[secret]!.GetValue<string>(), StringComparison.Ordinal);
        }

        Assert.True(settings.ContainsKey("Access__AllowedNetworks"));
        var site = Assert.Single(CompiledInfra.Resources(infra.Module("functionapp"), "Microsoft.Web/sites"));
        Assert.Equal("[parameters('identityId')]", site["properties"]!["keyVaultReferenceIdentity"]!.GetValue<string>());
        Assert.True(site["properties"]!["httpsOnly"]!.GetValue<bool>());
        var vault = Assert.Single(CompiledInfra.Resources(infra.Module("vault"), "Microsoft.KeyVault/vaults"));
        Assert.True(vault["properties"]!["enableRbacAuthorization"]!.GetValue<bool>());
    }

    [Fact]
    public void No_provision_can_replace_a_signing_secret_as_the_template_holds_none_and_the_hook_creates_only_what_is_missing()
    {
        // Not a parameter (azd would make one up where it cannot read the vault's back), not a secret resource
        // (which sets its value on every deployment): the postprovision hook creates them where absent.
        var parameters = infra.Template["parameters"]!.AsObject();
        Assert.DoesNotContain(parameters, p => p.Key.Contains("Signing", StringComparison.OrdinalIgnoreCase) || p.Key.Contains("Entropy", StringComparison.OrdinalIgnoreCase));
        var file = File.ReadAllText(Path.Combine(CompiledInfra.Infra, "main.parameters.json"));
        Assert.DoesNotContain("secretOrRandomPassword", file, StringComparison.Ordinal);
        Assert.DoesNotContain("signing", file, StringComparison.OrdinalIgnoreCase);
        var vault = infra.Module("vault");
        var secrets = CompiledInfra.Resources(vault, "Microsoft.KeyVault/vaults/secrets").Select(r => r["name"]!.GetValue<string>());
        Assert.Equal(["[format('{0}/{1}', parameters('name'), 'payex-token')]"], secrets);

        // The app settings name the secrets the hook creates, without a version (so that a rotation in the
        // vault reaches the app) and with the trailing slash that form needs.
        var hook = File.ReadAllText(Path.Combine(CompiledInfra.Infra, "hooks", "create-signing-secrets.sh"));
        foreach (var (output, variable) in new[] { ("signingSecretUri", "signingSecretName"), ("previousSigningSecretUri", "previousSigningSecretName") })
        {
            Assert.StartsWith("[format('{0}secrets/{1}/', reference(resourceId('Microsoft.KeyVault/vaults', parameters('name'))", vault["outputs"]![output]!["value"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.EndsWith($"variables('{variable}'))]", vault["outputs"]![output]!["value"]!.GetValue<string>(), StringComparison.Ordinal);
            var name = vault["variables"]![variable]!.GetValue<string>();
            Assert.Matches($@"for name in [^\n]*\b{name}\b", hook);
        }

        var settings = AppSettings();
        Assert.Equal("[format('@Microsoft.KeyVault(SecretUri={0})', parameters('signingSecretUri'))]", settings["Access__SigningSecret"]!.GetValue<string>());
        Assert.Equal("[format('@Microsoft.KeyVault(SecretUri={0})', parameters('previousSigningSecretUri'))]", settings["Access__PreviousSigningSecret"]!.GetValue<string>());
    }

    /// <summary>
    /// What Flex Consumption refuses (ARM error 51021 "... for Flex Consumption sites is invalid", enforced
    /// stamp by stamp) or has deprecated: Learn, "App settings reference", Flex Consumption plan deprecations;
    /// the 51021 lists reported in Azure/azure-functions-host#10643, microsoft/azure-pipelines-tasks#21032,
    /// Azure/terraform-azurerm-avm-res-web-site#283 and #345.
    /// </summary>
    private static readonly string[] FlexRefusedSiteConfig =
    [
        "ftpsState", "alwaysOn", "use32BitWorkerProcess", "linuxFxVersion", "windowsFxVersion", "netFrameworkVersion",
        "javaVersion", "javaContainer", "javaContainerVersion", "nodeVersion", "phpVersion", "pythonVersion", "powerShellVersion",
        "preWarmedInstanceCount", "functionAppScaleLimit", "functionsRuntimeScaleMonitoringEnabled", "minimumElasticInstanceCount",
        "isXenon", "isReserved", "containerSize",
    ];

    private static readonly string[] FlexDeprecatedAppSettings =
    [
        "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_WORKER_RUNTIME_VERSION", "FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_MAX_HTTP_CONCURRENCY",
        "FUNCTIONS_WORKER_PROCESS_COUNT", "FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED", "WEBSITE_NODE_DEFAULT_VERSION",
        "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
        "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTOVERVNET", "WEBSITE_SKIP_CONTENTSHARE_VALIDATION", "WEBSITE_VNET_ROUTE_ALL",
        "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT", "WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED", "WEBSITE_TIME_ZONE", "TZ",
        "SCM_DO_BUILD_DURING_DEPLOYMENT", "ENABLE_ORYX_BUILD",
    ];

    [Fact]
    public void The_site_sets_nothing_Flex_Consumption_refuses_or_has_deprecated()
    {
        var functionApp = infra.Module("functionapp");
        var site = Assert.Single(CompiledInfra.Resources(functionApp, "Microsoft.Web/sites"));
        var siteConfig = site["properties"]!["siteConfig"]!.AsObject();

        foreach (var property in FlexRefusedSiteConfig)
        {
            Assert.False(siteConfig.Any(p => string.Equals(p.Key, property, StringComparison.OrdinalIgnoreCase)), $"siteConfig.{property} is set: Flex Consumption refuses it");
            Assert.False(site["properties"]!.AsObject().Any(p => string.Equals(p.Key, property, StringComparison.OrdinalIgnoreCase)), $"properties.{property} is set: Flex Consumption refuses it");
        }

        // Beyond the known lists, only what Microsoft's Flex samples set: each property more is one a newer stamp may refuse.
        Assert.Equal(["minTlsVersion"], siteConfig.Select(p => p.Key));
        // No app settings or site config by another road (siteConfig.appSettings, a sites/config 'web').
        Assert.All(CompiledInfra.Resources(functionApp, "Microsoft.Web/sites/config"), c => Assert.Equal("[format('{0}/{1}', parameters('name'), 'appsettings')]", c["name"]!.GetValue<string>()));

        var settings = AppSettings();
        foreach (var setting in FlexDeprecatedAppSettings)
        {
            Assert.False(settings.Any(s => string.Equals(s.Key, setting, StringComparison.OrdinalIgnoreCase)), $"the app setting {setting} is set: Flex Consumption has deprecated it");
        }

        // FTP stays off without ftpsState: no basic-auth publishing credentials, the only ones FTP takes.
        var policies = CompiledInfra.Resources(functionApp, "Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        foreach (var kind in new[] { "ftp", "scm" })
        {
            var policy = Assert.Single(policies, p => p["name"]!.GetValue<string>().EndsWith($"'{kind}')]", StringComparison.Ordinal));
            Assert.False(policy["properties"]!["allow"]!.GetValue<bool>());
        }
    }

    [Fact]
    public void Every_queue_triggers_setting_is_written_flat_by_the_deployment()
    {
        // The platform's scale controller reads these to watch the queue (PackageTests checks the metadata it reads).
        var settings = typeof(StorageOptions).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods())
            .SelectMany(method => method.GetParameters())
            .Select(parameter => parameter.GetCustomAttribute<Microsoft.Azure.Functions.Worker.QueueTriggerAttribute>())
            .OfType<Microsoft.Azure.Functions.Worker.QueueTriggerAttribute>()
            .SelectMany(trigger => SettingReference().Matches(trigger.QueueName).Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();

        Assert.Equal([StorageOptions.CallbackQueueSetting], settings);
        Assert.All(settings, setting => Assert.DoesNotMatch("[:]|__", setting));
        Assert.All(settings, setting => Assert.True(AppSettings().ContainsKey(setting), $"the deployment does not write {setting}"));
        Assert.All(AppSettings(), s => Assert.False(s.Key.StartsWith("Storage__CallbackQueue", StringComparison.Ordinal), "the former, hierarchical queue setting is written"));
    }

    [Fact]
    public void The_region_is_one_that_offers_Flex_Consumption_and_azd_asks_for_it_from_that_list()
    {
        var location = infra.Template["parameters"]!["location"]!;
        var allowed = location["allowedValues"]!.AsArray().Select(v => v!.GetValue<string>()).ToList();

        // Microsoft's Flex quickstart (Azure-Samples/functions-quickstart-dotnet-azd) allows these, less its canary region.
        string[] quickstart =
        [
            "australiaeast", "centralindia", "centralus", "eastasia", "eastus", "eastus2", "francecentral", "germanywestcentral",
            "northcentralus", "northeurope", "southcentralus", "southeastasia", "swedencentral", "uksouth", "westcentralus", "westeurope", "westus2",
        ];
        Assert.All(quickstart, region => Assert.Contains(region, allowed));
        // A canary region, open only to early-access subscriptions.
        Assert.DoesNotContain("eastus2euap", allowed);
        Assert.Equal("location", location["metadata"]!["azd"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void The_apps_identity_gets_exactly_the_data_roles_it_uses()
    {
        var access = infra.Module("access");
        var roles = access["variables"]!["roles"]!.AsObject();
        var granted = CompiledInfra.Resources(access, "Microsoft.Authorization/roleAssignments")
            .Where(r => r["properties"]!["principalId"]!.GetValue<string>() == "[parameters('identityPrincipalId')]")
            .Select(r => RoleVariable().Match(r["properties"]!["roleDefinitionId"]!.GetValue<string>()).Groups[1].Value)
            .Select(role => roles[role]!.GetValue<string>())
            .Order()
            .ToArray();

        string[] needed =
        [
            "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", // Storage Blob Data Owner: the host's keys and leases, the package
            "974c5e8b-45b9-4653-ba55-5f855dd0fb88", // Storage Queue Data Contributor
            "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", // Storage Table Data Contributor
            "3913510d-42f4-4e42-8a64-420c390055eb", // Monitoring Metrics Publisher
            "4633458b-17de-408a-b874-0445c86b69e6", // Key Vault Secrets User
        ];
        Assert.Equal(needed.Order(), granted);

        // Whoever runs azd: the secrets only (deployment to Flex Consumption goes through the platform).
        var deployer = CompiledInfra.Resources(access, "Microsoft.Authorization/roleAssignments")
            .Where(r => r["properties"]!["principalId"]!.GetValue<string>() == "[parameters('principalId')]")
            .Select(r => roles[RoleVariable().Match(r["properties"]!["roleDefinitionId"]!.GetValue<string>()).Groups[1].Value]!.GetValue<string>());
        Assert.Equal(["b86a8fe4-44ce-4948-aee5-eccb2c155cd7"], deployer); // Key Vault Secrets Officer
    }

    [Fact]
    public void Application_Insights_takes_only_identities_and_the_app_reads_the_authentication_string_the_deployment_writes()
    {
        var component = Assert.Single(CompiledInfra.Resources(infra.Module("monitoring"), "Microsoft.Insights/components"));
        Assert.True(component["properties"]!["DisableLocalAuth"]!.GetValue<bool>());

        var written = AppSettings()["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]!.GetValue<string>();
        var format = FormatString().Match(written).Groups[1].Value;
        Assert.NotEqual("", format);
        var authentication = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, "00000000-0000-0000-0000-000000000001");
        Assert.IsType<ManagedIdentityCredential>(AzureMonitorAuthentication.CredentialFor(authentication));
        Assert.True(AppSettings().ContainsKey("APPLICATIONINSIGHTS_CONNECTION_STRING"));
    }

    [Fact]
    public void The_host_is_told_to_keep_every_trace_as_the_trace_tests_run_it()
    {
        // The host's exporter otherwise keeps 5 traces a second, and a callback past them loses the host's request.
        Assert.Equal("microsoft.fixed_percentage", AppSettings()["OTEL_TRACES_SAMPLER"]!.GetValue<string>());
        Assert.Equal("1.0", AppSettings()["OTEL_TRACES_SAMPLER_ARG"]!.GetValue<string>());
    }

    [Fact]
    public void The_workbook_deployed_is_the_one_in_the_repository()
    {
        var monitoring = infra.Module("monitoring");
        var workbook = Assert.Single(CompiledInfra.Resources(monitoring, "Microsoft.Insights/workbooks"));

        // loadTextContent puts the file in a variable of the compiled template.
        var variable = VariableReference().Match(workbook["properties"]!["serializedData"]!.GetValue<string>()).Groups[1].Value;
        Assert.Equal(File.ReadAllText(Path.Combine(CompiledInfra.Infra, "monitoring", "workbook.json")), monitoring["variables"]![variable]!.GetValue<string>());
        Assert.Equal("[resourceId('Microsoft.Insights/components', format('appi-payex-{0}', parameters('suffix')))]", workbook["properties"]!["sourceId"]!.GetValue<string>());
    }

    [Fact]
    public void The_parameters_file_gives_every_required_parameter_and_only_parameters_of_main_with_the_same_defaults()
    {
        var parameters = infra.Template["parameters"]!.AsObject();
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(CompiledInfra.Infra, "main.parameters.json")))!["parameters"]!.AsObject();

        foreach (var (name, _) in file)
        {
            Assert.True(parameters.ContainsKey(name), $"main.parameters.json sets '{name}', which main.bicep does not have");
        }

        foreach (var (name, parameter) in parameters)
        {
            if (parameter!["defaultValue"] is null)
            {
                Assert.True(file.ContainsKey(name), $"main.bicep requires '{name}', which main.parameters.json does not give");
            }
        }

        // "${VARIABLE=default}": azd's default must be the template's, or the two drift apart.
        foreach (var (name, value) in file)
        {
            if (AzdDefault().Match(value!["value"]!.ToString()) is { Success: true } match)
            {
                Assert.Equal(parameters[name]!["defaultValue"]!.ToString(), match.Groups[1].Value);
            }
        }
    }

    [Fact]
    public void The_app_runs_on_Flex_Consumption_as_a_dotnet_isolated_worker_on_the_net_it_targets()
    {
        var functionApp = infra.Module("functionapp");
        var plan = Assert.Single(CompiledInfra.Resources(functionApp, "Microsoft.Web/serverfarms"));
        Assert.Equal("FC1", plan["sku"]!["name"]!.GetValue<string>());
        Assert.Equal("FlexConsumption", plan["sku"]!["tier"]!.GetValue<string>());
        Assert.True(plan["properties"]!["reserved"]!.GetValue<bool>());

        var site = Assert.Single(CompiledInfra.Resources(functionApp, "Microsoft.Web/sites"));
        Assert.Equal("functionapp,linux", site["kind"]!.GetValue<string>());
        var runtime = site["properties"]!["functionAppConfig"]!["runtime"]!;
        Assert.Equal("dotnet-isolated", runtime["name"]!.GetValue<string>());
        var version = Resolve(functionApp, runtime["version"]!.GetValue<string>());
        // The newest .NET Flex Consumption accepts for dotnet-isolated (infra/README.md), and the one the app is built for.
        Assert.Equal("10.0", version);
        var framework = typeof(StorageOptions).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName;
        Assert.Equal($".NETCoreApp,Version=v{version}", framework);

        // The package comes from the deployment container, read with the app's identity (no keys, no SAS).
        var storage = site["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;
        Assert.Equal("blobContainer", storage["type"]!.GetValue<string>());
        Assert.Equal("UserAssignedIdentity", storage["authentication"]!["type"]!.GetValue<string>());
        Assert.Equal("[parameters('identityId')]", storage["authentication"]!["userAssignedIdentityResourceId"]!.GetValue<string>());
        Assert.Contains("parameters('deploymentContainer')", storage["value"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_app_setting_is_one_the_host_or_an_options_class_of_the_app_reads()
    {
        // Host settings the deployment writes; everything else must bind to a property of an options section.
        string[] host =
        [
            "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId", "AzureWebJobsStorage__blobServiceUri",
            "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri",
            "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
            "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG",
        ];
        var sections = typeof(StorageOptions).Assembly.GetTypes()
            .Select(type => (Type: type, Section: type.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(s => s.Section is { } section && !section.Contains(':', StringComparison.Ordinal))
            .ToDictionary(s => s.Section!, s => s.Type, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("Access", sections.Keys);

        foreach (var (name, _) in AppSettings())
        {
            // The flat ones the triggers read (the queue's StorageOptions reads too; the sweep's the tracking options check).
            if (host.Contains(name, StringComparer.Ordinal) || name == StorageOptions.CallbackQueueSetting || name == PayExCallbackFunctions.Tracking.TrackingOptions.SweepScheduleSetting)
            {
                continue;
            }

            var parts = name.Split("__");
            var options = parts.Length == 2 ? sections.GetValueOrDefault(parts[0]) : null;
            Assert.True(options is not null, $"{name}: no options section of the app reads it");
            var property = options.GetProperty(parts[1], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            Assert.True(property is { CanWrite: true }, $"{name}: {options.Name} has no setting {parts[1]}");
        }
    }

    [Fact]
    public void Nothing_of_the_custom_handler_or_of_Elastic_Premium_is_left()
    {
        var settings = AppSettings();
        var parameters = infra.Template["parameters"]!.AsObject();
        var functionApp = infra.Module("functionapp");

        Assert.False(parameters.ContainsKey("flexRuntime"));
        Assert.False(parameters.ContainsKey("hostingPlan"));
        // Flex Consumption has the runtime in functionAppConfig and refuses these (Learn: "Flex Consumption plan deprecations").
        foreach (var setting in new[] { "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID", "AzureWebJobsFeatureFlags" })
        {
            Assert.False(settings.ContainsKey(setting), $"{setting} is set");
        }

        // The standalone app's own keys and proxies, and the custom handler's host settings.
        Assert.DoesNotContain(settings, s => s.Key.StartsWith("AzureFunctionsJobHost__", StringComparison.Ordinal));
        Assert.DoesNotContain(settings, s => s.Key.Contains("TrustedProxies", StringComparison.OrdinalIgnoreCase) || s.Key is "Access__CallbackKeys" or "Access__AdminKey");
        var text = infra.Template.ToJsonString();
        foreach (var leftover in new[] { "customHandler", "EnableMcpCustomHandlerPreview", "'custom'", "\"custom\"", "ElasticPremium", "linuxFxVersion" })
        {
            Assert.DoesNotContain(leftover, text, StringComparison.Ordinal);
        }

        Assert.Single(CompiledInfra.Resources(functionApp, "Microsoft.Web/sites/config"));
        Assert.False(File.Exists(Path.Combine(CompiledInfra.Infra, "deploy-premium.sh")));
    }

    [Fact]
    public void Azd_publishes_the_dotnet_project_and_deploys_it_to_the_site_tagged_with_its_service_name()
    {
        var azureYaml = File.ReadAllText(Path.Combine(RepoPaths.Root, "azure.yaml"));
        var service = YamlService().Match(azureYaml).Groups[1].Value;

        Assert.Equal("api", service);
        var site = Assert.Single(CompiledInfra.Resources(infra.Module("functionapp"), "Microsoft.Web/sites"));
        Assert.Contains($"createObject('azd-service-name', '{service}')", site["tags"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("./PayExCallbackFunctions", YamlValue("project").Match(azureYaml).Groups[1].Value);
        Assert.Equal("dotnet", YamlValue("language").Match(azureYaml).Groups[1].Value);
        Assert.Equal("function", YamlValue("host").Match(azureYaml).Groups[1].Value);
        // azd packages the publish output itself: no prebuilt zip, no packaging hook.
        Assert.DoesNotMatch(YamlValue("dist"), azureYaml);
        Assert.DoesNotContain("prepackage", azureYaml, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  postprovision:\s*\n\s+posix:\s*\n\s+shell: sh\s*\n\s+run: infra/hooks/create-signing-secrets\.sh\s*$", azureYaml);
        Assert.DoesNotContain("preprovision", azureYaml, StringComparison.Ordinal);

        // azd runs `dotnet publish -c Release`: the project's publish settings make that the package PackageTests checks.
        var project = File.ReadAllText(Path.Combine(RepoPaths.Root, "PayExCallbackFunctions", "PayExCallbackFunctions.csproj"));
        Assert.Contains("<PackageReference Include=\"Microsoft.Azure.Functions.Worker.Sdk\" />", project, StringComparison.Ordinal);
        Assert.Contains(">linux-x64</RuntimeIdentifier>", project, StringComparison.Ordinal);
        Assert.Contains("<PublishReadyToRun>true</PublishReadyToRun>", project, StringComparison.Ordinal);
        Assert.Contains("<SelfContained>false</SelfContained>", project, StringComparison.Ordinal);
    }

    /// <summary>A template expression naming one variable, as its value; anything else as it is.</summary>
    private static string Resolve(JsonObject template, string value) =>
        VariableReference().Match(value) is { Success: true } match ? template["variables"]![match.Groups[1].Value]!.GetValue<string>() : value;

    private static Regex YamlValue(string key) => new($@"(?m)^\s+{key}:\s*(\S+)\s*$");

    [GeneratedRegex(@"variables\('roles'\)\.(\w+)")]
    private static partial Regex RoleVariable();

    [GeneratedRegex(@"^\[variables\('([^']+)'\)\]$")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^\[format\('([^']*)'")]
    private static partial Regex FormatString();

    [GeneratedRegex(@"^\$\{[A-Z_]+=(.*)\}$")]
    private static partial Regex AzdDefault();

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();

    [GeneratedRegex(@"(?m)^services:\s*\n\s+(\w+):")]
    private static partial Regex YamlService();
}
