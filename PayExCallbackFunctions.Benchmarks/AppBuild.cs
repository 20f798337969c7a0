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
    public static Task<AppBuild> PublishAsync(string name, string project, string assembly, bool reuse, params string[] properties) =>
        PublishAsync(name, RepoPaths.Root, project, assembly, reuse, properties);

    /// <summary>
    /// The app as it was at <paramref name="revision"/> (a commit, branch or tag of this repository), published as
    /// deployed: its files taken from git's history into a temporary folder (git archive), published from there,
    /// and the folder deleted. The working tree is not touched.
    /// </summary>
    public static async Task<AppBuild> PublishRevisionAsync(string revision, bool reuse)
    {
        var commit = (await RunAsync("git", RepoPaths.Root, "rev-parse", "--verify", "--quiet", $"{revision}^{{commit}}")).Trim();
        var name = $"app-{commit[..7]}";
        var output = Path.Combine(RepoPaths.Root, "artifacts", "benchmark", name);
        var marker = Path.Combine(output, "revision.txt");
        if (reuse && File.Exists(marker) && (await File.ReadAllTextAsync(marker)).Trim() == commit)
        {
            return new AppBuild(name, output, "PayExCallbackFunctions.dll") { Revision = commit };
        }

        var source = System.IO.Directory.CreateTempSubdirectory("payex-bench-revision-").FullName;
        try
        {
            Console.Error.WriteLine($"Extracting {revision} ({commit[..7]}) to a temporary folder ...");
            var archive = Path.Combine(source, "source.tar");
            await RunAsync("git", RepoPaths.Root, "archive", "--format=tar", $"--output={archive}", commit);
            await RunAsync("tar", source, "-xf", archive);
            File.Delete(archive);
            var build = await PublishAsync(name, source, "PayExCallbackFunctions", "PayExCallbackFunctions", reuse: false);
            await File.WriteAllTextAsync(marker, commit);
            return build with { Revision = commit };
        }
        finally
        {
            System.IO.Directory.Delete(source, recursive: true);
        }
    }

    /// <summary>The commit it was built from, when it is not the working tree.</summary>
    public string? Revision { get; init; }

    private static async Task<AppBuild> PublishAsync(string name, string root, string project, string assembly, bool reuse, params string[] properties)
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

        await RunAsync("dotnet", root, ["publish", project, "-c", "Release", "-o", output, .. properties]);
        if (!File.Exists(Path.Combine(output, "functions.metadata")))
        {
            throw new InvalidOperationException($"Publishing {name} made no functions.metadata in {output}.");
        }

        return build;
    }

    /// <summary>Runs a tool to its end; its standard output, or an exception with both outputs if it fails.</summary>
    private static async Task<string> RunAsync(string tool, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var log = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await log}\n{await errors}");
        }

        return await log;
    }
}
