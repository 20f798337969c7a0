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
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var (completed, failed, next) = (0, 0, -1);
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

                var sent = Stopwatch.GetTimestamp();
                try
                {
                    await operation(index);
                    latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                    Interlocked.Increment(ref completed);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return new LoadResult(completed, failed, Stopwatch.GetElapsedTime(started), [.. latencies]);
    }

    /// <summary>
    /// Sends at <paramref name="perSecond"/>; each latency counts from when the operation was due, so a
    /// stalled server shows in the figures instead of slowing the sender (no coordinated omission).
    /// </summary>
    public static async Task<LoadResult> OpenAsync(double perSecond, TimeSpan duration, Func<int, Task> operation)
    {
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var (completed, failed) = (0, 0);
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
                pending.Add(Task.Run(async () =>
                {
                    try
                    {
                        await operation(index);
                        latencies.Add(Stopwatch.GetElapsedTime(dueAt).TotalMilliseconds);
                        Interlocked.Increment(ref completed);
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }));
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(pending);
        return new LoadResult(completed, failed, Stopwatch.GetElapsedTime(started), [.. latencies]);
    }
}
