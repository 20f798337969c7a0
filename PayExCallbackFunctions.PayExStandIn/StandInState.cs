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
    private int _injectedFailures;
    private readonly Lock _chaosLock = new();
    private Chaos? _chaos;
    private Random? _chaosRandom;

    /// <summary>
    /// Every failure the stand-in chose to answer besides 401 and 404: scripted faults whose status is
    /// not 200, and chaos.
    /// </summary>
    public int InjectedFailures => Volatile.Read(ref _injectedFailures);

    /// <summary>Random failures for GETs no fault was scripted for; null (the default) for none.</summary>
    public Chaos? Chaos
    {
        get
        {
            lock (_chaosLock)
            {
                return _chaos;
            }
        }

        set
        {
            lock (_chaosLock)
            {
                _chaos = value;
                _chaosRandom = value switch
                {
                    null => null,
                    { Seed: { } seed } => new Random(seed),
                    _ => new Random(),
                };
            }
        }
    }

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

    /// <summary>The faults set, in the order they apply, with the uses each has left (0: used up).</summary>
    public IReadOnlyList<Fault> Faults
    {
        get
        {
            lock (_faults)
            {
                return _faults.Select(f => f.Copy()).ToList();
            }
        }
    }

    public void ClearFaults()
    {
        lock (_faults)
        {
            _faults.Clear();
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
                if (fault.Status != 200)
                {
                    Interlocked.Increment(ref _injectedFailures);
                }
            }

            return fault;
        }
    }

    /// <summary>
    /// With <see cref="Chaos"/> on, whether this GET fails: with probability <see cref="Chaos.Rate"/>, a
    /// one-off fault with a status picked from <see cref="Chaos.Statuses"/>; otherwise null.
    /// </summary>
    public Fault? TakeChaos(string path)
    {
        lock (_chaosLock)
        {
            if (_chaos is not { Statuses.Length: > 0 } chaos || _chaosRandom is null || _chaosRandom.NextDouble() >= chaos.Rate)
            {
                return null;
            }

            var status = chaos.Statuses[_chaosRandom.Next(chaos.Statuses.Length)];
            if (status != 200)
            {
                Interlocked.Increment(ref _injectedFailures);
            }

            return new Fault
            {
                Path = path,
                Status = status,
                Remaining = 0,
                RetryAfterSeconds = status is 429 or 503 ? chaos.RetryAfterSeconds : null,
            };
        }
    }

    public void Record(RecordedRequest request) => _requests.Enqueue(request);

    public void Reset()
    {
        _resources.Clear();
        ClearFaults();

        _requests.Clear();
        Latency = TimeSpan.Zero;
        _maxConcurrent = 0;
        Chaos = null;
        Interlocked.Exchange(ref _injectedFailures, 0);
    }

    private static string Normalise(string path) => "/" + path.Split('?')[0].Trim('/');
}

/// <summary>
/// Answer <see cref="Status"/> (with <see cref="RetryAfterSeconds"/> if given) to the next
/// <see cref="Remaining"/> GETs of <see cref="Path"/>: that path exactly, every path under it if it
/// ends with '*', every path if null, after <see cref="DelayMilliseconds"/>. Status 0 drops the
/// connection; status 200 answers normally, the resource as it was when the request arrived, only late.
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

    /// <summary>The status to answer (default 503); 0 drops the connection.</summary>
    public int Status { get; set; } = 503;

    /// <summary>How many more GETs it answers (default 1).</summary>
    public int Remaining { get; set; } = 1;

    public int? RetryAfterSeconds { get; set; }

    public int DelayMilliseconds { get; set; }

    /// <summary>The reason phrase of the status line, instead of the usual one.</summary>
    public string? ReasonPhrase { get; set; }

    /// <summary>With status 200: send the headers and the body's first byte, then nothing until the client gives up.</summary>
    public bool StallBody { get; set; }

    /// <summary>With status 200: send the body one byte at a time, this many milliseconds apart.</summary>
    public int BodyByteIntervalMilliseconds { get; set; }

    public Fault Copy() => (Fault)MemberwiseClone();
}

/// <summary>
/// A random failure rate, for soak tests: each GET with no scripted <see cref="Fault"/> fails with
/// probability <see cref="Rate"/>, with a status picked uniformly from <see cref="Statuses"/>.
/// </summary>
public sealed class Chaos
{
    /// <summary>From 0 (never fail) to 1 (always fail).</summary>
    public double Rate { get; set; }

    /// <summary>The statuses to fail with; 0 drops the connection.</summary>
    public int[] Statuses { get; set; } = [500, 502, 503, 429, 0];

    /// <summary>Sent as Retry-After with 429 and 503.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Makes the failures repeatable; null for a different run each time.</summary>
    public int? Seed { get; set; }
}

public sealed record RecordedRequest(string Method, string PathAndQuery, bool Authorized, string? Accept, DateTimeOffset At);
