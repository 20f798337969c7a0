using System.IO.Compression;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Deployment;

/// <summary>
/// The deployable package, built by the README's publish command into a folder of its own, and
/// unzipped as zip deploy would.
/// </summary>
public sealed class FunctionAppPackage : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("payex-package-").FullName;

    public string Zip => Path.Combine(_work, "functionapp.zip");

    /// <summary>The zip's content, as the Functions host sees the app's root.</summary>
    public string Root => Path.Combine(_work, "wwwroot");

    public string PublishOutput { get; private set; } = "";

    public async Task InitializeAsync()
    {
        // The README's command, with the layout and the zip put here instead of artifacts/.
        var (exit, output) = await Command.RunAsync("dotnet",
            ["publish", "PayExCallbackFunctions", "-c", "Release", "-p:FunctionApp=true",
             $"-p:FunctionAppDir={Path.Combine(_work, "functionapp")}/", $"-p:FunctionAppZip={Zip}",
             "--artifacts-path", Path.Combine(_work, "build")],
            RepoPaths.Root, TimeSpan.FromMinutes(10));
        PublishOutput = output;
        Assert.True(exit == 0, $"dotnet publish failed:\n{output}");
        ZipFile.ExtractToDirectory(Zip, Root);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }
}
