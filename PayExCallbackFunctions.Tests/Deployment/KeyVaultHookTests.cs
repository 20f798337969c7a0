using System.Diagnostics;
using System.Runtime.Versioning;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Deployment;

/// <summary>
/// infra/hooks/find-key-vault.sh, run by azd before each provision, with stand-ins for the az and
/// azd commands: without the vault's name azd would generate new signing secrets and the provision
/// would overwrite the ones every callback URL is signed with.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class KeyVaultHookTests : IDisposable
{
    private readonly string _bin = Directory.CreateTempSubdirectory("payex-hook-").FullName;

    private string AzdCalls => Path.Combine(_bin, "azd-calls");

    public KeyVaultHookTests()
    {
        // az answers as a subscription holding rg-payex-test with one vault would; azd records what it is asked.
        WriteScript("az", """
            case "$*" in
              "group exists --name rg-payex-test") echo true ;;
              "group exists --name "*) echo false ;;
              "keyvault list --resource-group rg-payex-test --query [0].name --output tsv") echo kv-payex-abc123 ;;
              *) echo "unexpected: az $*" >&2; exit 2 ;;
            esac
            """);
        WriteScript("azd", $"echo \"$*\" >> '{AzdCalls}'");
    }

    private void WriteScript(string name, string body)
    {
        var path = Path.Combine(_bin, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private async Task<(int ExitCode, string Output, string AzdCalls)> RunAsync(string environment, string? vault)
    {
        var start = new ProcessStartInfo("sh", [Path.Combine(RepoPaths.Root, "infra", "hooks", "find-key-vault.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        start.Environment["PATH"] = $"{_bin}:{start.Environment["PATH"]}";
        start.Environment["AZURE_ENV_NAME"] = environment;
        start.Environment.Remove("AZURE_KEY_VAULT_NAME");
        if (vault is not null)
        {
            start.Environment["AZURE_KEY_VAULT_NAME"] = vault;
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output, File.Exists(AzdCalls) ? File.ReadAllText(AzdCalls).Trim() : "");
    }

    [Fact]
    public async Task Without_the_vaults_name_it_finds_the_vault_of_the_environments_group_and_tells_azd()
    {
        var (exit, output, azd) = await RunAsync("payex-test", vault: null);

        Assert.True(exit == 0, output);
        Assert.Equal("env set AZURE_KEY_VAULT_NAME kv-payex-abc123", azd);
    }

    [Fact]
    public async Task With_the_vaults_name_it_changes_nothing()
    {
        var (exit, output, azd) = await RunAsync("payex-test", vault: "kv-payex-abc123");

        Assert.True(exit == 0, output);
        Assert.Equal("", azd);
    }

    [Fact]
    public async Task Before_the_first_provision_there_is_nothing_to_find()
    {
        var (exit, output, azd) = await RunAsync("payex-new", vault: null);

        Assert.True(exit == 0, output);
        Assert.Equal("", azd);
    }

    public void Dispose() => Directory.Delete(_bin, recursive: true);
}
