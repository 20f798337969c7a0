using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Hosting;

public static class HostSettings
{
    /// <summary>
    /// host.json's queue settings, as the Functions host applies them (overridable by app settings such
    /// as <c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c>), and the check that no
    /// setting is a Key Vault reference App Service could not resolve.
    /// </summary>
    public static IHostApplicationBuilder AddHostSettings(this IHostApplicationBuilder builder)
    {
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "host.json"), optional: true, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables("AzureFunctionsJobHost__");
        builder.Services.AddOptions<QueuesOptions>()
            .Bind(builder.Configuration.GetSection(QueuesOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<QueuesOptions>, QueuesOptionsValidator>();
        builder.Services.AddOptions<KeyVaultReferences>()
            .Configure(references => KeyVaultReferences.Find(builder.Configuration, references))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<KeyVaultReferences>, KeyVaultReferencesValidator>();
        return builder;
    }
}
