namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// The <c>func</c> that runs the Functions host: Azure Functions Core Tools where installed, else the
/// source-built host's launcher in ../shared/functions-host (what CI has), as run.sh chooses.
/// </summary>
public static class Func
{
    /// <summary>Names another func, e.g. a Core Tools installed elsewhere.</summary>
    public const string Variable = "PAYEX_FUNC";

    public static string Path { get; } = Find();

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } named)
        {
            return named;
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, "func"))
            .FirstOrDefault(File.Exists);
        if (onPath is not null)
        {
            return onPath;
        }

        return File.Exists(RepoPaths.SharedFunctionsHost)
            ? RepoPaths.SharedFunctionsHost
            : throw new InvalidOperationException($"No Functions host: install Azure Functions Core Tools (func on PATH), put shared/functions-host beside the repository ({RepoPaths.SharedFunctionsHost}), or set {Variable}.");
    }
}
