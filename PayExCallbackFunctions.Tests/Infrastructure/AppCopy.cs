namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// The function app as built, copied once per test run: the hosts run this copy, so that a
/// developer's local.settings.json (copied into the build output for func start) leaks nothing into a
/// test, and a rebuild during the run changes nothing under a running host.
/// </summary>
public static class AppCopy
{
    private static readonly Lazy<string> Copy = new(Make);

    public static string Root => Copy.Value;

    private static string Make()
    {
        if (!File.Exists(Path.Combine(RepoPaths.AppOutput, "functions.metadata")))
        {
            throw new InvalidOperationException($"The function app is not built in {RepoPaths.AppOutput}: run the tests with dotnet test, which builds it.");
        }

        var root = Path.Combine(Path.GetTempPath(), $"payex-app-{Environment.ProcessId}-{Guid.NewGuid():N}");
        CopyTree(RepoPaths.AppOutput, root);
        File.Delete(Path.Combine(root, "local.settings.json"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);
        return root;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.GetDirectories(from))
        {
            CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
