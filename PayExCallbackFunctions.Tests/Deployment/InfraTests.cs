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
        Assert.Contains("-poison", infra.Module("storage").ToJsonString(), StringComparison.Ordinal);
        // Under the host the app refuses to start without the queue's name (the trigger reads it too).
        foreach (var setting in new[] { "Storage__CallbackQueue", "Storage__PaymentsTable", "Storage__DeadLettersTable", "Storage__RejectedCallbacksTable" })
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

        // Under the host, the host checks function keys; the app's own keys are for standalone only.
        Assert.False(settings.ContainsKey("Access__CallbackKeys"));
        Assert.False(settings.ContainsKey("Access__AdminKey"));
        Assert.True(settings.ContainsKey("Access__AllowedNetworks"));
        var site = Assert.Single(CompiledInfra.Resources(infra.Module("functionapp"), "Microsoft.Web/sites"));
        Assert.Equal("[parameters('identityId')]", site["properties"]!["keyVaultReferenceIdentity"]!.GetValue<string>());
        Assert.True(site["properties"]!["httpsOnly"]!.GetValue<bool>());
        var vault = Assert.Single(CompiledInfra.Resources(infra.Module("vault"), "Microsoft.KeyVault/vaults"));
        Assert.True(vault["properties"]!["enableRbacAuthorization"]!.GetValue<bool>());
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
    public void Azd_deploys_the_zip_the_publish_command_builds_to_the_site_tagged_with_its_service_name()
    {
        var azureYaml = File.ReadAllText(Path.Combine(RepoPaths.Root, "azure.yaml"));
        var service = YamlService().Match(azureYaml).Groups[1].Value;
        var dist = YamlDist().Match(azureYaml).Groups[1].Value;

        Assert.Equal("api", service);
        var site = Assert.Single(CompiledInfra.Resources(infra.Module("functionapp"), "Microsoft.Web/sites"));
        Assert.Contains($"createObject('azd-service-name', '{service}')", site["tags"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("artifacts/functionapp.zip", dist);
        Assert.Contains("run: dotnet publish PayExCallbackFunctions -c Release -p:FunctionApp=true", azureYaml, StringComparison.Ordinal);
        // The publish command's default zip is where azure.yaml looks for it.
        var project = File.ReadAllText(Path.Combine(RepoPaths.Root, "PayExCallbackFunctions", "PayExCallbackFunctions.csproj"));
        Assert.Contains("$(MSBuildThisFileDirectory)../artifacts/functionapp/", project, StringComparison.Ordinal);
        Assert.Contains("TrimEndingDirectorySeparator($(FunctionAppDir))).zip", project, StringComparison.Ordinal);
    }

    [Fact]
    public void The_premium_deploy_script_uploads_the_package_where_the_app_runs_it_from_using_only_outputs_of_main()
    {
        var script = File.ReadAllText(Path.Combine(CompiledInfra.Infra, "deploy-premium.sh"));
        var outputs = infra.Template["outputs"]!.AsObject();

        Assert.Contains("--name functionapp.zip", script, StringComparison.Ordinal);
        Assert.Contains("}/functionapp.zip'", infra.Module("functionapp")["variables"]!["packageUrl"]!.GetValue<string>(), StringComparison.Ordinal);
        var used = EnvironmentVariable().Matches(script).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.True(outputs.ContainsKey(name), $"deploy-premium.sh uses ${name}, which main.bicep does not output"));
    }

    [GeneratedRegex(@"\$(AZURE_[A-Z_]+)")]
    private static partial Regex EnvironmentVariable();

    [GeneratedRegex(@"variables\('roles'\)\.(\w+)")]
    private static partial Regex RoleVariable();

    [GeneratedRegex(@"^\[variables\('([^']+)'\)\]$")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^\[format\('([^']*)'")]
    private static partial Regex FormatString();

    [GeneratedRegex(@"^\$\{[A-Z_]+=(.*)\}$")]
    private static partial Regex AzdDefault();

    [GeneratedRegex(@"(?m)^services:\s*\n\s+(\w+):")]
    private static partial Regex YamlService();

    [GeneratedRegex(@"(?m)^\s+dist:\s*(\S+)")]
    private static partial Regex YamlDist();
}
