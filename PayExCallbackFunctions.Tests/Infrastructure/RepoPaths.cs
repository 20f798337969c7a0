namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>Where things are in the checkout the tests run from.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The function app as built alongside the tests (same configuration): the folder the Functions host runs.</summary>
    public static string AppOutput { get; } = Path.Combine(Root, "PayExCallbackFunctions", "bin", Configuration, "net10.0");

    /// <summary>The source-built Functions host and its func launcher, beside the checkout (CI puts shared/ there).</summary>
    public static string SharedFunctionsHost { get; } = Path.GetFullPath(Path.Combine(Root, "..", "shared", "functions-host", "func"));

    public static string TestData(string file) => Path.Combine(AppContext.BaseDirectory, "TestData", file);

    public static string StandInExample(string file) => Path.Combine(AppContext.BaseDirectory, "Examples", file);

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PayExCallbackFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The tests must run from inside the repository (no PayExCallbackFunctions.sln above them).");
    }
}
