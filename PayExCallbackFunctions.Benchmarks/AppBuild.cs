using System.Diagnostics;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// A function app published for the host to run (<c>func start --no-build --script-root</c>): the
/// app as deployed (ReadyToRun), the app as plain JIT, or one of the baseline apps beside this project.
/// </summary>
/// <param name="Name">Its name in the figures and in artifacts/benchmark.</param>
/// <param name="Directory">The publish output: the script root.</param>
/// <param name="WorkerAssembly">The worker's assembly, to tell the worker among the host's children.</param>
public sealed record AppBuild(string Name, string Directory, string WorkerAssembly)
{
    public static async Task<AppBuild> PublishAsync(string name, string project, string assembly, bool reuse, params string[] properties)
    {
        var output = Path.Combine(RepoPaths.Root, "artifacts", "benchmark", name);
        var build = new AppBuild(name, output, $"{assembly}.dll");
        if (reuse && File.Exists(Path.Combine(output, "functions.metadata")))
        {
            return build;
        }

        Console.Error.WriteLine($"Publishing {project} {string.Join(' ', properties)} to {Path.GetRelativePath(RepoPaths.Root, output)} ...");
        if (System.IO.Directory.Exists(output))
        {
            System.IO.Directory.Delete(output, recursive: true);
        }

        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "publish", project, "-c", "Release", "-o", output }.Concat(properties))
        {
            start.ArgumentList.Add(argument);
        }

        using var publish = Process.Start(start)!;
        var log = publish.StandardOutput.ReadToEndAsync();
        var errors = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0 || !File.Exists(Path.Combine(output, "functions.metadata")))
        {
            throw new InvalidOperationException($"Publishing {name} failed:\n{await log}\n{await errors}");
        }

        return build;
    }
}
