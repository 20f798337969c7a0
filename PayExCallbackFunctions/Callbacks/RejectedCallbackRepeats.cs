namespace PayExCallbackFunctions.Callbacks;

/// <summary>
/// Repeats of one rejection that arrive on this instance while one request is writing its row: they wait
/// here and that request adds them all in its next write, so a flood of one body costs a few writes,
/// not one each (which would also conflict on the row's ETag).
/// </summary>
public sealed class RejectedCallbackRepeats
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Waiting> _writers = [];

    /// <summary>True if a request is writing <paramref name="key"/> and took this repeat; false if the caller now writes it.</summary>
    public bool Join(string key, RejectedCallback repeat)
    {
        lock (_gate)
        {
            if (_writers.TryGetValue(key, out var waiting))
            {
                _writers[key] = new Waiting(waiting.Count + 1, repeat);
                return true;
            }

            _writers[key] = new Waiting(0, repeat);
            return false;
        }
    }

    /// <summary>The repeats that came in since the writer last looked, and the latest of them.</summary>
    public Waiting Take(string key)
    {
        lock (_gate)
        {
            var waiting = _writers[key];
            _writers[key] = waiting with { Count = 0 };
            return waiting;
        }
    }

    /// <summary>Ends the writer's turn, unless a repeat came in after its last <see cref="Take"/>.</summary>
    public bool TryEnd(string key)
    {
        lock (_gate)
        {
            if (_writers[key].Count > 0)
            {
                return false;
            }

            _writers.Remove(key);
            return true;
        }
    }

    /// <summary>Ends the writer's turn whatever waits; returns how many repeats that leaves uncounted.</summary>
    public int Abandon(string key)
    {
        lock (_gate)
        {
            return _writers.Remove(key, out var waiting) ? waiting.Count : 0;
        }
    }

    public readonly record struct Waiting(int Count, RejectedCallback Latest);
}
