using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Deployment;

/// <summary>
/// The deployable package: the README's publish command, run once into a folder of its own, as azd
/// and zip deploy hand it to the Functions host (the folder's content is the app's root).
/// </summary>
public sealed class FunctionAppPackage : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("payex-package-").FullName;

    /// <summary>The published app, as the host sees its root (wwwroot).</summary>
    public string Root => Path.Combine(_work, "functionapp");

    public string PublishOutput { get; private set; } = "";

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public async Task InitializeAsync()
    {
        // The README's command, with the output here instead of artifacts/functionapp, and the build's
        // own obj/ and bin/ too, so that it neither reuses nor disturbs the tests' build of the app.
        var (exit, output) = await Command.RunAsync("dotnet",
            ["publish", "PayExCallbackFunctions", "-c", "Release", "-o", Root,
             "--artifacts-path", Path.Combine(_work, "build")],
            RepoPaths.Root, TimeSpan.FromMinutes(10));
        PublishOutput = output;
        Assert.True(exit == 0, $"dotnet publish failed:\n{output}");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }
}
