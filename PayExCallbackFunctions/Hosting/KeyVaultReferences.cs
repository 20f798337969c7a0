using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Hosting;

/// <summary>
/// App settings that are still Key Vault references. App Service puts the secret in place of
/// <c>@Microsoft.KeyVault(...)</c> when it can read it, and leaves the reference as text when it
/// cannot: the app would then use the reference as the PayEx token or the signing secret.
/// </summary>
public sealed class KeyVaultReferences
{
    private const string Prefix = "@Microsoft.KeyVault(";

    public IReadOnlyList<string> Unresolved { get; private set; } = [];

    public static void Find(IConfiguration configuration, KeyVaultReferences references) =>
        references.Unresolved = configuration.AsEnumerable()
            .Where(setting => setting.Value is { } value && value.TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            .Select(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
}

public sealed class KeyVaultReferencesValidator : IValidateOptions<KeyVaultReferences>
{
    public ValidateOptionsResult Validate(string? name, KeyVaultReferences references) =>
        references.Unresolved.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{string.Join(", ", references.Unresolved)}: Key Vault reference not resolved. The app's identity (keyVaultReferenceIdentity) needs the Key Vault Secrets User role on the vault, and the secret must exist; the portal shows the reason under Environment variables.");
}
