using System.Diagnostics;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// The build of the app that the tests run as a process: the one built alongside them (JIT), or the
/// executable that PAYEX_TEST_APP names, e.g. the Native AOT publish (README, Test).
/// </summary>
public static class AppBuild
{
    public const string Variable = "PAYEX_TEST_APP";

    /// <summary>The executable PAYEX_TEST_APP names, relative to the repository root if not absolute; null for the JIT build.</summary>
    public static Executable? Named { get; } = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path
        ? Find(Path.GetFullPath(path, RepoPaths.Root))
        : null;

    /// <summary>A start of <paramref name="executable"/>, else of the build under test, with no arguments yet.</summary>
    public static ProcessStartInfo StartInfo(Executable? executable = null)
    {
        executable ??= Named;
        var start = new ProcessStartInfo(executable?.Path ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = executable?.WorkingDirectory ?? Path.GetDirectoryName(RepoPaths.AppDll)!,
        };
        if (executable is null)
        {
            start.ArgumentList.Add(RepoPaths.AppDll);
        }

        return start;
    }

    private static Executable Find(string path) => File.Exists(path)
        ? new Executable(path, Path.GetDirectoryName(path)!)
        : throw new InvalidOperationException($"{Variable} names {path}, which does not exist: publish the app there first (README, Test).");
}
