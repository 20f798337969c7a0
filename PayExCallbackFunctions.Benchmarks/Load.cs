using System.Diagnostics;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>What a load run did: operations completed and failed, in how long, and each one's latency.</summary>
public sealed record LoadResult(int Completed, int Failed, TimeSpan Elapsed, double[] LatenciesMs)
{
    public double PerSecond => Completed / Elapsed.TotalSeconds;

    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0)
        {
            return double.NaN;
        }

        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>Load generators: closed (N workers, each sends when its last answer came) and open (a fixed rate, whatever the answers do).</summary>
public static class Load
{
    public static async Task<LoadResult> ClosedAsync(int concurrency, TimeSpan duration, Func<int, Task> operation, int? total = null)
    {
        var tally = new Tally();
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetElapsedTime(started) < duration)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= total)
                {
                    return;
                }

                await tally.TimeAsync(operation, index, Stopwatch.GetTimestamp());
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return tally.Result(Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// Sends at <paramref name="perSecond"/>; each latency counts from when the operation was due, so a
    /// stalled server shows in the figures instead of slowing the sender (no coordinated omission).
    /// </summary>
    public static async Task<LoadResult> OpenAsync(double perSecond, TimeSpan duration, Func<int, Task> operation)
    {
        var tally = new Tally();
        var pending = new List<Task>();
        var started = Stopwatch.GetTimestamp();
        var issued = 0;
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            var due = (int)(Stopwatch.GetElapsedTime(started).TotalSeconds * perSecond);
            for (; issued < due; issued++)
            {
                var index = issued;
                var dueAt = started + (long)(index / perSecond * Stopwatch.Frequency);
                pending.Add(Task.Run(() => tally.TimeAsync(operation, index, dueAt)));
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(pending);
        return tally.Result(Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Operations counted and timed, from many threads.</summary>
    private sealed class Tally
    {
        private readonly System.Collections.Concurrent.ConcurrentBag<double> _latencies = [];
        private int _completed;
        private int _failed;

        public async Task TimeAsync(Func<int, Task> operation, int index, long from)
        {
            try
            {
                await operation(index);
                _latencies.Add(Stopwatch.GetElapsedTime(from).TotalMilliseconds);
                Interlocked.Increment(ref _completed);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _failed);
            }
        }

        public LoadResult Result(TimeSpan elapsed) => new(_completed, _failed, elapsed, [.. _latencies]);
    }
}
