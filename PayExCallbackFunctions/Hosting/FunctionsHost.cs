using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Hosting;

/// <summary>
/// The two ways the app runs: as a Functions custom handler (the host sets
/// <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> and owns the triggers), or standalone, with its own queue listener.
/// </summary>
public static class FunctionsHost
{
    public const string PortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    public static bool IsCustomHandler(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration[PortVariable]);

    /// <summary>
    /// Under the host, the handler's own folder: the host starts it in the function app's root, where
    /// appsettings.json (log levels) is not. Otherwise the default.
    /// </summary>
    public static string? ContentRoot() =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PortVariable)) ? null : AppContext.BaseDirectory;

    /// <summary>Reads host.json as the host would, and listens where the host expects the handler.</summary>
    public static WebApplicationBuilder AddFunctionsHost(this WebApplicationBuilder builder)
    {
        // host.json's settings, overridable by app settings the way the Functions host allows.
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

        if (builder.Configuration[PortVariable] is { Length: > 0 } value)
        {
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new InvalidOperationException($"{PortVariable} must be a TCP port number, not '{value}'.");
            }

            // The host talks to its handler over loopback only.
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        }

        return builder;
    }
}
