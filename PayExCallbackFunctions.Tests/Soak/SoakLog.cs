using System.Globalization;
using System.Text.RegularExpressions;

namespace PayExCallbackFunctions.Tests.Soak;

/// <summary>One "Stored ... rows of callback ..." (or "Stored nothing for callback ...") line of the app's log, with its place in the log.</summary>
public sealed record StoredLine(int Index, int Written, int Kept);

/// <summary>
/// What the app's own log says about each callback: where it was stored (CallbackProcessor's
/// "Stored {RowCount} rows of callback {CallbackId} ... kept {KeptCount} rows", or "Stored nothing for
/// callback {CallbackId} ... ({KeptCount} rows as new or newer)") and how often it
/// failed (RetryPath's "Callback {CallbackId} failed (attempt n of m); next attempt in ...").
/// </summary>
public sealed partial class SoakLog
{
    private SoakLog()
    {
    }

    /// <summary>Callback id → its Stored lines, in log order (more than one only if a message was processed twice).</summary>
    public Dictionary<string, List<StoredLine>> Stored { get; } = [];

    /// <summary>Callback id → failed attempts that were put back on the queue.</summary>
    public Dictionary<string, int> Retries { get; } = [];

    public int RetryLines { get; private set; }

    /// <summary>Failed attempts whose GET never reached PayEx because the client's circuit was open.</summary>
    public int OpenCircuitFailures { get; private set; }

    public int DeadLetteredLines { get; private set; }

    /// <summary>Unforeseen failures the queue listener logged (left to its own retries and poison queue).</summary>
    public int ListenerFailures { get; private set; }

    public int RowsWritten { get; private set; }

    public int RowsKept { get; private set; }

    public static SoakLog Parse(string output)
    {
        var log = new SoakLog();
        var index = 0;
        foreach (var line in output.Split('\n'))
        {
            index++;
            if (StoredPattern().Match(line) is { Success: true } stored)
            {
                var written = stored.Groups["written"].Success ? int.Parse(stored.Groups["written"].ValueSpan, CultureInfo.InvariantCulture) : 0;
                var kept = int.Parse(stored.Groups["kept"].ValueSpan, CultureInfo.InvariantCulture);
                var id = stored.Groups["id"].Value;
                if (!log.Stored.TryGetValue(id, out var lines))
                {
                    log.Stored[id] = lines = [];
                }

                lines.Add(new StoredLine(index, written, kept));
                log.RowsWritten += written;
                log.RowsKept += kept;
            }
            else if (RetryPattern().Match(line) is { Success: true } retry)
            {
                var id = retry.Groups["id"].Value;
                log.Retries[id] = log.Retries.GetValueOrDefault(id) + 1;
                log.RetryLines++;
                if (line.Contains("BrokenCircuit", StringComparison.Ordinal))
                {
                    log.OpenCircuitFailures++;
                }
            }
            else if (line.Contains("was dead-lettered", StringComparison.Ordinal))
            {
                log.DeadLetteredLines++;
            }
            else if (line.Contains("Processing queue message", StringComparison.Ordinal) && line.Contains(" failed ", StringComparison.Ordinal))
            {
                log.ListenerFailures++;
            }
        }

        return log;
    }

    [GeneratedRegex(@"Stored (?<written>\d+) rows of callback (?<id>[0-9a-f]{32}) .*; kept (?<kept>\d+) rows|Stored nothing for callback (?<id>[0-9a-f]{32}) .*\((?<kept>\d+) rows as new or newer\)", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex StoredPattern();

    [GeneratedRegex(@"Callback (?<id>[0-9a-f]{32}) failed \(attempt \d+ of \d+\); next attempt in", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex RetryPattern();
}
