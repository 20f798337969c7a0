using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace PayExCallbackFunctions.PayExStandIn;

/// <summary>What the stand-in serves, and how it misbehaves when a test asks it to.</summary>
public sealed class StandInState
{
    private readonly ConcurrentDictionary<string, string> _resources = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Fault> _faults = [];
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    /// <summary>Added to every answer.</summary>
    public TimeSpan Latency { get; set; }

    public IReadOnlyCollection<RecordedRequest> Requests => _requests;

    /// <summary>The most GETs that were being answered at the same time.</summary>
    public int MaxConcurrentRequests => _maxConcurrent;

    private int _concurrent;
    private int _maxConcurrent;

    /// <summary>Counts a GET as being answered until the result is disposed.</summary>
    public IDisposable BeginRequest()
    {
        var now = Interlocked.Increment(ref _concurrent);
        int max;
        while (now > (max = _maxConcurrent) && Interlocked.CompareExchange(ref _maxConcurrent, now, max) != max)
        {
        }

        return new EndRequest(this);
    }

    private sealed class EndRequest(StandInState state) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref state._concurrent);
    }

    /// <summary>Serves <paramref name="json"/> at <paramref name="path"/> (a /psp/ path, no query).</summary>
    public void Put(string path, string json) => _resources[Normalise(path)] = json;

    public bool Remove(string path) => _resources.TryRemove(Normalise(path), out _);

    public string? Get(string path) => _resources.TryGetValue(Normalise(path), out var json) ? json : null;

    /// <summary>
    /// Serves a PayEx resource document at the ids it holds: a payment or payment order at its id;
    /// a transaction at its typed id (e.g. /captures/{id}) and at its generic /transactions/{id}.
    /// </summary>
    public void PutResource(string json)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        foreach (var (name, value) in root)
        {
            if (value is not JsonObject resource)
            {
                continue;
            }

            if (resource["id"]?.GetValue<string>() is { } id)
            {
                Put(id, json);
            }

            if (resource["transaction"]?["id"]?.GetValue<string>() is { } transactionId)
            {
                Put(transactionId, json);
            }
        }
    }

    public void AddFault(Fault fault)
    {
        lock (_faults)
        {
            _faults.Add(fault);
        }
    }

    /// <summary>The first fault that applies to this path and still has uses left, used once.</summary>
    public Fault? TakeFault(string path)
    {
        lock (_faults)
        {
            var fault = _faults.FirstOrDefault(f => f.Remaining > 0 && f.Applies(path));
            if (fault is not null)
            {
                fault.Remaining--;
            }

            return fault;
        }
    }

    public void Record(RecordedRequest request) => _requests.Enqueue(request);

    public void Reset()
    {
        _resources.Clear();
        lock (_faults)
        {
            _faults.Clear();
        }

        _requests.Clear();
        Latency = TimeSpan.Zero;
        _maxConcurrent = 0;
    }

    private static string Normalise(string path) => "/" + path.Split('?')[0].Trim('/');
}

/// <summary>
/// Answer <see cref="Status"/> (with <see cref="RetryAfterSeconds"/> if given) to the next
/// <see cref="Remaining"/> GETs of <see cref="Path"/>: that path exactly, every path under it if it
/// ends with '*', every path if null. Status 0 drops the connection.
/// </summary>
public sealed class Fault
{
    public string? Path { get; set; }

    public bool Applies(string path) => Path switch
    {
        null => true,
        _ when Path.EndsWith('*') => path.StartsWith(Path[..^1], StringComparison.OrdinalIgnoreCase),
        _ => string.Equals(path, Path, StringComparison.OrdinalIgnoreCase),
    };

    public int Status { get; set; } = 503;

    public int Remaining { get; set; } = 1;

    public int? RetryAfterSeconds { get; set; }

    public int DelayMilliseconds { get; set; }
}

public sealed record RecordedRequest(string Method, string PathAndQuery, bool Authorized, string? Accept, DateTimeOffset At);
