using System.Diagnostics;
using System.Runtime.Versioning;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Deployment;

/// <summary>
/// infra/hooks/create-signing-secrets.sh, run by azd after each provision, with a stand-in for az that
/// keeps a vault's secrets in a folder: it creates each callback signing secret the vault lacks, and
/// never replaces one, which would break every callback URL signed with it.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SigningSecretsHookTests : IDisposable
{
    private static readonly string[] Secrets = ["access-signing-secret", "access-previous-signing-secret"];

    private readonly string _bin = Directory.CreateTempSubdirectory("payex-hook-").FullName;

    public SigningSecretsHookTests()
    {
        // az answers as a subscription holding rg-payex-test with the vault kv-payex-abc123 would. The vault's
        // secrets are files in vault/; "list-failures" makes that many listings fail first, as a role not yet
        // applied does; every call is recorded, and what `secret set` was given is kept.
        Directory.CreateDirectory(Vault);
        WriteScript("az", $$"""
            dir='{{_bin}}'
            echo "$*" >> "$dir/az-calls"
            case "$1 $2 $3" in
              "keyvault list --resource-group")
                [ "$4" = rg-payex-test ] && echo kv-payex-abc123
                exit 0 ;;
              "keyvault secret list")
                [ "$5" = kv-payex-abc123 ] || { echo "unexpected vault: $5" >&2; exit 2; }
                failures=$(cat "$dir/list-failures" 2>/dev/null || echo 0)
                if [ "$failures" -gt 0 ]; then
                  echo $((failures - 1)) > "$dir/list-failures"
                  echo "ERROR: (Forbidden) Caller is not authorized to perform action on resource." >&2
                  exit 1
                fi
                for secret in $(ls "$dir/vault"); do echo "https://kv-payex-abc123.vault.azure.net/secrets/$secret"; done
                exit 0 ;;
              "keyvault secret set")
                while [ $# -gt 0 ]; do
                  case "$1" in
                    --name) name=$2; shift ;;
                    --file) file=$2; shift ;;
                  esac
                  shift
                done
                cp "$file" "$dir/vault/$name"
                exit 0 ;;
            esac
            echo "unexpected: az $*" >&2
            exit 2
            """);
        // The hook waits between listings; here it only says it did.
        WriteScript("sleep", $"echo \"$*\" >> '{_bin}/sleeps'");
    }

    private string Vault => Path.Combine(_bin, "vault");

    private string[] AzCalls => File.Exists(Path.Combine(_bin, "az-calls")) ? File.ReadAllLines(Path.Combine(_bin, "az-calls")) : [];

    private string[] SetCalls => [.. AzCalls.Where(c => c.StartsWith("keyvault secret set", StringComparison.Ordinal))];

    private int Sleeps => File.Exists(Path.Combine(_bin, "sleeps")) ? File.ReadAllLines(Path.Combine(_bin, "sleeps")).Length : 0;

    private string Secret(string name) => File.ReadAllText(Path.Combine(Vault, name));

    private void WriteScript(string name, string body)
    {
        var path = Path.Combine(_bin, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string? vault = "kv-payex-abc123", string environment = "payex-test")
    {
        var start = new ProcessStartInfo("sh", [Path.Combine(RepoPaths.Root, "infra", "hooks", "create-signing-secrets.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        start.Environment["PATH"] = $"{_bin}:{start.Environment["PATH"]}";
        start.Environment["AZURE_ENV_NAME"] = environment;
        start.Environment.Remove("AZURE_RESOURCE_GROUP");
        start.Environment.Remove("AZURE_KEY_VAULT_NAME");
        if (vault is not null)
        {
            start.Environment["AZURE_KEY_VAULT_NAME"] = vault;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }

    [Fact]
    public async Task After_the_first_provision_it_creates_both_signing_secrets_long_random_and_never_on_a_command_line()
    {
        var (exit, output) = await RunAsync();

        Assert.True(exit == 0, output);
        Assert.Equal(Secrets.Order(), Directory.GetFiles(Vault).Select(Path.GetFileName).Order());
        var values = Secrets.Select(Secret).ToList();
        Assert.All(values, value => Assert.Matches("^[A-Za-z0-9]{48}$", value));
        Assert.NotEqual(values[0], values[1]);
        // The value went through a file: neither the command line nor az's output (off) shows it.
        Assert.All(SetCalls, call => Assert.Contains("--file ", call, StringComparison.Ordinal));
        Assert.All(SetCalls, call => Assert.Contains("--output none", call, StringComparison.Ordinal));
        Assert.All(values, value => Assert.DoesNotContain(value, string.Join('\n', AzCalls) + output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_later_provision_keeps_the_secrets_the_vault_holds_rotated_or_not()
    {
        File.WriteAllText(Path.Combine(Vault, "access-signing-secret"), "rotated-by-the-operator-0123456789abcdef");
        File.WriteAllText(Path.Combine(Vault, "access-previous-signing-secret"), "the-secret-before-0123456789abcdefghij");

        var (exit, output) = await RunAsync();

        Assert.True(exit == 0, output);
        Assert.Empty(SetCalls);
        Assert.Equal("rotated-by-the-operator-0123456789abcdef", Secret("access-signing-secret"));
        Assert.Contains("keeps its access-signing-secret", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("access-signing-secret", "access-previous-signing-secret")]
    [InlineData("access-previous-signing-secret", "access-signing-secret")]
    public async Task It_creates_only_the_secret_the_vault_lacks(string held, string lacked)
    {
        File.WriteAllText(Path.Combine(Vault, held), "the-secret-it-holds-0123456789abcdefghij");

        var (exit, output) = await RunAsync();

        Assert.True(exit == 0, output);
        Assert.Contains($"--name {lacked} ", Assert.Single(SetCalls), StringComparison.Ordinal);
        Assert.Equal("the-secret-it-holds-0123456789abcdefghij", Secret(held));
    }

    [Fact]
    public async Task While_the_deployers_new_role_is_not_yet_applied_it_waits_and_then_creates_the_secrets()
    {
        File.WriteAllText(Path.Combine(_bin, "list-failures"), "2");

        var (exit, output) = await RunAsync();

        Assert.True(exit == 0, output);
        Assert.Equal(2, Sleeps);
        Assert.Equal(2, SetCalls.Length);
    }

    [Fact]
    public async Task A_vault_it_cannot_list_is_never_taken_for_an_empty_one()
    {
        File.WriteAllText(Path.Combine(_bin, "list-failures"), "1000");

        var (exit, output) = await RunAsync();

        Assert.NotEqual(0, exit);
        Assert.Empty(SetCalls);
        Assert.Contains("Key Vault Secrets Officer", output, StringComparison.Ordinal);
        Assert.Equal(29, Sleeps);
    }

    [Fact]
    public async Task Without_the_vaults_name_it_finds_the_vault_of_the_environments_group()
    {
        var (exit, output) = await RunAsync(vault: null);

        Assert.True(exit == 0, output);
        Assert.Contains(AzCalls, c => c.StartsWith("keyvault list --resource-group rg-payex-test", StringComparison.Ordinal));
        Assert.Equal(2, SetCalls.Length);
    }

    [Fact]
    public async Task Without_a_vault_it_fails_and_creates_nothing()
    {
        var (exit, output) = await RunAsync(vault: null, environment: "payex-new");

        Assert.NotEqual(0, exit);
        Assert.Empty(SetCalls);
        Assert.Contains("No Key Vault in rg-payex-new", output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_bin, recursive: true);
}
