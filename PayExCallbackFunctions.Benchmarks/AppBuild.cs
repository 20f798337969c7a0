using System.Diagnostics;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>A published build of the app: JIT (IL, framework-dependent) or Native AOT, as the package deploys it.</summary>
public sealed record AppBuild(string Name, string Executable)
{
    public static async Task<AppBuild> PublishAsync(string name, bool aot, bool reuse)
    {
        var output = Path.Combine(RepoPaths.Root, "artifacts", "benchmark", name);
        var build = new AppBuild(name, Path.Combine(output, "PayExCallbackFunctions"));
        if (reuse && File.Exists(build.Executable))
        {
            return build;
        }

        Console.Error.WriteLine($"Publishing the {name} build to {Path.GetRelativePath(RepoPaths.Root, output)} ...");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "publish", "PayExCallbackFunctions", "-c", "Release", $"-p:PublishAot={aot}", "-o", output })
        {
            start.ArgumentList.Add(argument);
        }

        using var publish = Process.Start(start)!;
        var log = publish.StandardOutput.ReadToEndAsync();
        var errors = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0 || !File.Exists(build.Executable))
        {
            throw new InvalidOperationException($"Publishing the {name} build failed:\n{await log}\n{await errors}");
        }

        return build;
    }
}
