namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>Where things are in the checkout the tests run from.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The app as built alongside the tests (same configuration), run as its own process.</summary>
    public static string AppDll { get; } = Path.Combine(Root, "PayExCallbackFunctions", "bin", Configuration, "net10.0", "PayExCallbackFunctions.dll");

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
