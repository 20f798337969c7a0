using System.Reflection;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Deployment;

/// <summary>
/// infra/main.bicep compiled and linted once by the Bicep CLI from its NuGet package (no download),
/// and the compiled ARM template, to check what the deployment would create.
/// </summary>
public sealed class CompiledInfra : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("payex-infra-").FullName;

    public static string Infra => Path.Combine(RepoPaths.Root, "infra");

    public static string Bicep { get; } = typeof(CompiledInfra).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "BicepPath").Value!;

    public (int ExitCode, string Output) Build { get; private set; }

    public (int ExitCode, string Output) Lint { get; private set; }

    public JsonObject Template { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var compiled = Path.Combine(_work, "main.json");
        Build = await Command.RunAsync(Bicep, ["build", "main.bicep", "--outfile", compiled], Infra, TimeSpan.FromMinutes(2));
        Lint = await Command.RunAsync(Bicep, ["lint", "main.bicep"], Infra, TimeSpan.FromMinutes(2));
        Assert.True(Build.ExitCode == 0, $"bicep build failed:\n{Build.Output}");
        Template = JsonNode.Parse(await File.ReadAllTextAsync(compiled))!.AsObject();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The template of a module (a nested deployment), found by its deployment name anywhere below main.</summary>
    public JsonObject Module(string name) => FindModule(Template, name) ?? throw new InvalidOperationException($"no module '{name}' in main.bicep");

    public static IEnumerable<JsonObject> Resources(JsonObject template, string type) =>
        template["resources"]!.AsArray().Select(r => r!.AsObject()).Where(r => r["type"]!.GetValue<string>() == type);

    private static JsonObject? FindModule(JsonObject template, string name)
    {
        foreach (var deployment in Resources(template, "Microsoft.Resources/deployments"))
        {
            var inner = deployment["properties"]!["template"]!.AsObject();
            if (deployment["name"]!.GetValue<string>() == name)
            {
                return inner;
            }

            if (FindModule(inner, name) is { } found)
            {
                return found;
            }
        }

        return null;
    }
}
