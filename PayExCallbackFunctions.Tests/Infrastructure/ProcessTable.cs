namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>What Linux's /proc says about a process: its children and its command line.</summary>
public static class ProcessTable
{
    /// <summary>
    /// The children of every thread of the process: a worker the host restarts is the child of
    /// whichever thread started it. A thread that ends while it is read is skipped, not taken for the
    /// whole process having none.
    /// </summary>
    public static int[] ChildrenOf(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        return tasks.SelectMany(ChildrenOfTask).ToArray();
    }

    /// <summary>The command line, its arguments joined by spaces; empty for a process that is gone.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static List<int> ChildrenOfTask(string task)
    {
        try
        {
            return File.ReadAllText(Path.Combine(task, "children"))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(c => int.Parse(c, System.Globalization.CultureInfo.InvariantCulture))
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
