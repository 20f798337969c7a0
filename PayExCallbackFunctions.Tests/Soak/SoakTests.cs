using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.PayExStandIn;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PayExCallbackFunctions.Tests.Soak;

/// <summary>
/// The soak runs alone: it loads Azurite and both cores, which would push the other tests past
/// their deadlines, and its figures mean more without them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoakCollection
{
    public const string Name = "Soak";
}

/// <summary>
/// Thousands of callbacks over hundreds of payments that change at PayEx while their callbacks are
/// in flight, delivered more than once and out of order, with a fifth of PayEx's answers failing:
/// in the end the payments table holds exactly what PayEx holds, nothing lost, nothing twice.
/// Set PAYEX_SOAK_SEED to replay a run's plan (the timing is the machine's own).
/// </summary>
[Collection(SoakCollection.Name)]
public sealed class SoakTests(ITestOutputHelper output)
{
    private const int MinPayments = 200;
    private const int MinCallbacks = 2000;
    private const double FailureRate = 0.2;

    /// <summary>Payments whose steps run at the same time.</summary>
    private const int ConcurrentPayments = 32;

    /// <summary>Time between two steps of a payment at PayEx (ms): callbacks of the one are in flight during the next.</summary>
    private const int MinStepGap = 100;
    private const int MaxStepGap = 500;

    /// <summary>Queued callbacks (retries waiting out their delay included) above which the senders wait.</summary>
    private const int MaxBacklog = 100;

    /// <summary>How late a trap's stale answer comes: long enough for the newer state to be stored first.</summary>
    private const int TrapDelayMilliseconds = 3000;

    private static readonly TimeSpan TrapTakenTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Bounds on the run, so that a broken app fails the test in minutes, not hours (sending takes ~20 s, draining ~5 s on 2 cores).</summary>
    private static readonly TimeSpan SendingTimeout = TimeSpan.FromSeconds(100);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    [Trait("Category", "Soak")]
    public async Task Soak_thousands_of_duplicated_reordered_callbacks_with_a_fifth_of_PayEx_failing_end_in_exactly_PayExs_state()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("PAYEX_SOAK_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Random.Shared.Next();
        var plan = SoakPlan.Create(seed, MinPayments, MinCallbacks);
        var context = $"Seed {seed} (PAYEX_SOAK_SEED={seed} replays the plan).";
        Log($"{context} {plan.Payments.Count} payments, {plan.Callbacks} callbacks planned.");

        var total = Stopwatch.StartNew();
        await using var run = await RunningApp.StartAsync(settings =>
        {
            // Enough attempts that a fifth of GETs failing cannot exhaust a callback (0.36^20), and
            // no quick retries inside an attempt, so that every failure takes the durable path.
            settings["Retry__Schedule"] = "00:00:01";
            settings["Retry__MaxAttempts"] = "20";
            settings["Retry__Jitter"] = "0";
            settings["PayEx__QuickRetries"] = "0";
            settings["AzureFunctionsJobHost__extensions__queues__batchSize"] = "32";
            settings["AzureFunctionsJobHost__extensions__queues__newBatchThreshold"] = "16";
        });
        var figures = new SoakFigures { Seed = seed, Payments = plan.Payments.Count, MaxBacklog = MaxBacklog, StartupSeconds = total.Elapsed.TotalSeconds };
        var state = run.PayEx.State;
        state.Chaos = new Chaos { Rate = FailureRate, Statuses = [500, 502, 503, 429, 0], RetryAfterSeconds = 1, Seed = seed };

        var sender = new Sender(run, plan);
        var aborted = await sender.SendAllAsync();
        figures.SendingSeconds = sender.Elapsed.TotalSeconds;
        figures.HeldBackSeconds = sender.HeldBack.TotalSeconds;

        // Wait for the work: the queue empty (a retry waiting out its delay is a hidden message, and
        // counts) and every acknowledged callback stored, by the app's own account; give up at once
        // on a dead letter, which fails the test whatever else happens.
        var ids = sender.Sent.Select(c => c.Id).ToHashSet();
        var drain = Stopwatch.StartNew();
        var drained = false;
        SoakLog log;
        List<TableEntity> deadLetters;
        while (true)
        {
            log = SoakLog.Parse(run.App.Output);
            figures.StillQueued = await run.Storage.ApproximateCountAsync(run.Storage.Queue);
            deadLetters = await run.Storage.DeadLettersAsync();
            if (figures.StillQueued == 0 && ids.All(log.Stored.ContainsKey))
            {
                drained = true;
                break;
            }

            if (aborted is not null || deadLetters.Count > 0 || drain.Elapsed > DrainTimeout || run.App.HasExited)
            {
                break;
            }

            await Task.Delay(200);
        }

        figures.DrainSeconds = drain.Elapsed.TotalSeconds;
        var poisoned = await run.Storage.ApproximateCountAsync(run.Storage.Poison);
        var rows = await run.Storage.AllRowsAsync();
        figures.TotalSeconds = total.Elapsed.TotalSeconds;

        var problems = new List<string>();
        var truth = Truth(plan, state, problems);
        Compare(truth, rows, figures, problems);
        AnalyseTraps(sender, log, figures, problems);

        figures.CallbacksSent = sender.Sent.Count;
        figures.CallbacksPlanned = plan.Callbacks;
        figures.Notifications = plan.Notifications;
        figures.Duplicates = plan.Duplicates;
        figures.Late = plan.Late;
        figures.Traps = plan.Traps;
        figures.TrapsTaken = sender.Traps.Count(t => t.Taken);
        figures.Resources = truth.Values.Sum(r => r.Count);
        figures.Gets = state.Requests.Count;
        figures.InjectedFailures = state.InjectedFailures;
        figures.MaxConcurrentGets = state.MaxConcurrentRequests;
        figures.RetriedAttempts = log.RetryLines;
        figures.CallbacksRetried = log.Retries.Count;
        figures.MostRetries = log.Retries.Count == 0 ? 0 : log.Retries.Values.Max();
        figures.OpenCircuitFailures = log.OpenCircuitFailures;
        figures.ListenerFailures = log.ListenerFailures;
        figures.CallbacksStored = ids.Count(log.Stored.ContainsKey);
        figures.ProcessedTwice = log.Stored.Values.Count(l => l.Count > 1);
        figures.RowsWritten = log.RowsWritten;
        figures.RowsKept = log.RowsKept;
        figures.DeadLetters = deadLetters.Count;
        figures.Poisoned = poisoned;
        figures.RowsStored = rows.Count;
        Report(figures);

        if (!drained || aborted is not null || problems.Count > 0 || deadLetters.Count > 0 || poisoned > 0)
        {
            var appLog = Path.Combine(RepoPaths.Root, "artifacts", "soak-app.log");
            await File.WriteAllTextAsync(appLog, run.App.Output);
            Log($"The app's log is in {appLog}.");
        }

        Assert.True(deadLetters.Count == 0, $"{context} {deadLetters.Count} callbacks were dead-lettered (and the run stopped there), e.g.: {string.Join(" | ", deadLetters.Take(3).Select(d => d.GetString("Reason")))}");
        Assert.True(aborted is null, $"{context} Sending stopped: {aborted?.Message}");
        Assert.True(drained, $"{context} Not done {DrainTimeout.TotalSeconds} s after the last callback: {figures.StillQueued} messages still queued, {ids.Count - figures.CallbacksStored} of {ids.Count} callbacks never stored; the app exited: {run.App.HasExited}.");
        Assert.True(poisoned == 0, $"{context} {poisoned} messages went to the poison queue.");
        Assert.True(problems.Count == 0, $"{context} The table is not PayEx's truth: {figures.Lost} lost, {figures.Extra} extra, {figures.Stale} not the newest, of {figures.Resources} resources.\n{string.Join('\n', problems.Take(25))}");
        // PayEx's resources, one status per payment, and its events (counted against the versions above).
        Assert.Equal(figures.Resources + truth.Count, rows.Count(r => !r.RowKey.StartsWith("event-", StringComparison.Ordinal)));

        // The soak is what it says it is.
        Assert.True(sender.Sent.Count >= MinCallbacks && plan.Payments.Count >= MinPayments, $"{context} Only {sender.Sent.Count} callbacks over {plan.Payments.Count} payments.");
        Assert.True(figures.Duplicates > 0 && figures.Late > 0, $"{context} No duplicates or no late deliveries.");
        Assert.InRange(figures.InjectedFailures, (int)(figures.Gets * FailureRate * 0.75), (int)(figures.Gets * FailureRate * 1.25));
        Assert.True(figures.RetriedAttempts > 0, $"{context} No attempt was retried: the failures did not reach the durable retry path.");
        Assert.True(figures.StaleRefused > 0, $"{context} No trap's stale answer came back after the newer state was stored, so ordering went untested ({figures.TrapsTaken} of {figures.Traps} traps sprung, {figures.StaleFirst} answered first).");
    }

    /// <summary>Partition → row key → JSON: what PayEx serves now, checked against what the model says it published.</summary>
    private static Dictionary<string, IReadOnlyDictionary<string, string>> Truth(SoakPlan plan, StandInState state, List<string> problems)
    {
        var truth = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        foreach (var payment in plan.Payments.Select(p => p.Payment))
        {
            var resources = payment.Truth();
            truth[payment.Id.ToString("D")] = resources;
            if (state.Get(payment.Path) != resources[payment.RowKey])
            {
                problems.Add($"harness: the stand-in does not serve payment {payment.Id} as the model has it");
            }

            foreach (var transaction in payment.Transactions)
            {
                if (state.Get(transaction.TypedPath) != resources[transaction.RowKey] || state.Get(transaction.GenericPath) != resources[transaction.RowKey])
                {
                    problems.Add($"harness: the stand-in does not serve transaction {transaction.Id} as the model has it");
                }
            }
        }

        return truth;
    }

    /// <summary>The table against the truth: the same partitions, the same rows, each with PayEx's JSON of now.</summary>
    private static void Compare(Dictionary<string, IReadOnlyDictionary<string, string>> truth, List<TableEntity> rows, SoakFigures figures, List<string> problems)
    {
        var partitions = rows.GroupBy(r => r.PartitionKey).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var partition in partitions.Keys.Except(truth.Keys))
        {
            figures.Extra += partitions[partition].Count;
            problems.Add($"partition {partition} is no payment of the soak ({partitions[partition].Count} rows)");
        }

        foreach (var (partition, resources) in truth)
        {
            var byKey = new Dictionary<string, TableEntity>();
            var stored = partitions.GetValueOrDefault(partition) ?? [];
            // Every payment has its status, written with its rows (the status's own tests say which).
            if (!stored.Any(r => r.RowKey == StatusRow.RowKey))
            {
                figures.Lost++;
                problems.Add($"{partition}/status is missing");
            }

            // And one event per version of the status, none missing, none twice (the outbox, in the same transactions).
            if (stored.FirstOrDefault(r => r.RowKey == StatusRow.RowKey) is { } statusRow)
            {
                var versions = stored.Where(r => r.RowKey.StartsWith("event-", StringComparison.Ordinal)).Select(r => r.GetInt64("Version") ?? 0).Order().ToArray();
                if (!versions.SequenceEqual(Enumerable.Range(1, (int)(statusRow.GetInt64("Version") ?? 0)).Select(v => (long)v)))
                {
                    figures.Extra++;
                    problems.Add($"{partition} has events of versions [{string.Join(", ", versions)}] for status version {statusRow.GetInt64("Version")}");
                }
            }

            foreach (var row in stored.Where(r => r.RowKey != StatusRow.RowKey && !r.RowKey.StartsWith("event-", StringComparison.Ordinal)))
            {
                if (!byKey.TryAdd(row.RowKey, row))
                {
                    figures.Extra++;
                    problems.Add($"{partition}/{row.RowKey} is stored twice");
                }
            }

            foreach (var key in resources.Keys.Except(byKey.Keys))
            {
                figures.Lost++;
                problems.Add($"{partition}/{key} is missing (lost)");
            }

            foreach (var key in byKey.Keys.Except(resources.Keys))
            {
                figures.Extra++;
                problems.Add($"{partition}/{key} is stored, but PayEx has no such resource");
            }

            foreach (var key in resources.Keys.Intersect(byKey.Keys))
            {
                figures.RowsCompared++;
                var json = PaymentRow.ReadJson(byKey[key]);
                if (json != resources[key])
                {
                    figures.Stale++;
                    problems.Add($"{partition}/{key} holds PayEx's state of {Updated(json)}, not the newest, of {Updated(resources[key])}");
                }
            }
        }
    }

    /// <summary>
    /// What became of the traps' stale answers, by the app's log. A trap's callback that was not
    /// retried wrote its stale answer (or was refused) on its first attempt; it came after the
    /// newer state when the last step's callback was stored before it; and it was decisive when
    /// no other callback of the payment was stored after it, so that, had it been written, the
    /// payment would have stayed stale.
    /// </summary>
    private static void AnalyseTraps(Sender sender, SoakLog log, SoakFigures figures, List<string> problems)
    {
        var storedByPayment = sender.Sent
            .GroupBy(c => c.Payment)
            .ToDictionary(g => g.Key, g => g.SelectMany(c => (log.Stored.GetValueOrDefault(c.Id) ?? []).Select(l => (c.Id, l.Index))).ToList());
        foreach (var trap in sender.Traps)
        {
            var trapStored = log.Stored.GetValueOrDefault(trap.CallbackId)?[0];
            var finalStored = trap.FinalCallbackId is null ? null : log.Stored.GetValueOrDefault(trap.FinalCallbackId)?[0];
            if (!trap.Taken || trapStored is null || finalStored is null)
            {
                continue;
            }

            if (log.Retries.ContainsKey(trap.CallbackId))
            {
                figures.TrapsRetried++;
            }
            else if (finalStored.Index > trapStored.Index)
            {
                figures.StaleFirst++;
            }
            else
            {
                figures.StaleAfterNewer++;
                if (trapStored.Written > 0)
                {
                    problems.Add($"{trap.Payment.Id}: a stale answer was written over the newer state ({trapStored.Written} rows)");
                    continue;
                }

                figures.StaleRefused++;
                if (storedByPayment[trap.Payment.Id].All(x => x.Id == trap.CallbackId || x.Index < trapStored.Index))
                {
                    figures.StaleDecisive++;
                }
            }
        }
    }

    private static string Updated(string json)
    {
        try
        {
            var root = JsonNode.Parse(json)!.AsObject();
            var resource = root["payment"] as JsonObject ?? root.Select(p => p.Value is JsonObject typed ? typed["transaction"] : null).OfType<JsonObject>().FirstOrDefault();
            return resource?["updated"]?.GetValue<string>() ?? "(no updated)";
        }
        catch (System.Text.Json.JsonException)
        {
            return "(not JSON)";
        }
    }

    private void Report(SoakFigures figures)
    {
        var text = figures.Format();
        Log(text);
        Console.Error.WriteLine(text);
        try
        {
            var artifacts = Path.Combine(RepoPaths.Root, "artifacts");
            Directory.CreateDirectory(artifacts);
            File.WriteAllText(Path.Combine(artifacts, "soak.txt"), text);
        }
        catch (IOException e)
        {
            Log($"Could not write artifacts/soak.txt: {e.Message}");
        }
    }

    private void Log(string message)
    {
        output.WriteLine(message);
        Console.WriteLine(message);
    }

    private enum SentKind
    {
        OnTime,
        Late,
        Trap,
    }

    private sealed record SentCallback(string Id, Guid Payment, int Step, SentKind Kind);

    private sealed record TrapRecord(SyntheticPayment Payment, string CallbackId, bool Taken)
    {
        public string? FinalCallbackId { get; init; }
    }

    /// <summary>
    /// Plays PayEx: each payment lives its plan, a step at PayEx then its callback's deliveries
    /// (late ones after a later step's), payments side by side so that their callbacks
    /// interleave. Stops early on a dead letter, or when sending takes too long.
    /// </summary>
    private sealed class Sender(RunningApp run, SoakPlan plan)
    {
        private readonly ConcurrentBag<SentCallback> _sent = [];
        private readonly ConcurrentBag<TrapRecord> _traps = [];
        private readonly Stopwatch _elapsed = new();
        private int _backlog;
        private long _heldBackTicks;

        public ConcurrentBag<SentCallback> Sent => _sent;

        public ConcurrentBag<TrapRecord> Traps => _traps;

        public TimeSpan Elapsed => _elapsed.Elapsed;

        public TimeSpan HeldBack => TimeSpan.FromTicks(Interlocked.Read(ref _heldBackTicks));

        private StandInState State => run.PayEx.State;

        /// <summary>Sends every callback of the plan; returns why it stopped early, or null.</summary>
        public async Task<Exception?> SendAllAsync()
        {
            _elapsed.Start();
            using var stop = new CancellationTokenSource(SendingTimeout);
            using var done = new CancellationTokenSource();
            Exception? aborted = null;
            var watch = WatchAsync(stop, done.Token);
            try
            {
                await Parallel.ForEachAsync(plan.Payments, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentPayments, CancellationToken = stop.Token }, LiveAsync);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                aborted = await run.Storage.DeadLettersAsync() is { Count: > 0 } deadLetters
                    ? new InvalidOperationException($"{deadLetters.Count} callbacks were dead-lettered while sending.")
                    : new TimeoutException($"Sending took more than {SendingTimeout.TotalSeconds} s ({_sent.Count} of {plan.Callbacks} callbacks sent): the app is too slow or stuck.");
            }
            finally
            {
                _elapsed.Stop();
                await done.CancelAsync();
                await watch;
            }

            return aborted;
        }

        // PayEx waits for nobody, but a queue hours long would only test the queue: the senders
        // hold back while more than MaxBacklog messages wait, so that each step's callbacks are
        // processed while the payment's next steps happen, and a trap's newer state is stored
        // before its stale answer comes back. A dead letter stops the run: the test has failed.
        private async Task WatchAsync(CancellationTokenSource stop, CancellationToken done)
        {
            var lastDeadLetterCheck = Stopwatch.StartNew();
            while (!done.IsCancellationRequested)
            {
                Volatile.Write(ref _backlog, await run.Storage.ApproximateCountAsync(run.Storage.Queue));
                if (lastDeadLetterCheck.Elapsed > TimeSpan.FromSeconds(1))
                {
                    lastDeadLetterCheck.Restart();
                    if ((await run.Storage.DeadLettersAsync()).Count > 0)
                    {
                        await stop.CancelAsync();
                    }
                }

                await Task.Delay(50, CancellationToken.None);
            }
        }

        private async ValueTask LiveAsync(PaymentPlan payment, CancellationToken cancellationToken)
        {
            var random = new Random(payment.FlowSeed);
            var late = new List<(int Due, int Step, SyntheticTransaction Transaction, Delivery Delivery)>();
            var last = payment.Steps.Length - 1;
            TrapRecord? trap = null;
            for (var step = 0; step <= last; step++)
            {
                await HoldBackAsync(cancellationToken);
                if (payment.Trap && step == last)
                {
                    trap = await SetTrapAsync(payment, random, cancellationToken);
                }

                var transaction = payment.Payment.Apply(payment.Steps[step], State.PutResource);
                var onTime = payment.Deliveries[step].Where(d => d.Lag == 0).ToList();
                var posted = await Task.WhenAll(onTime.Select(d => PostAsync(payment, step, transaction, d.Form, SentKind.OnTime)));
                if (trap is not null)
                {
                    _traps.Add(trap with { FinalCallbackId = posted.Single() });
                }

                foreach (var due in late.Where(l => l.Due == step).ToList())
                {
                    await PostAsync(payment, due.Step, due.Transaction, due.Delivery.Form, SentKind.Late);
                    late.Remove(due);
                }

                late.AddRange(payment.Deliveries[step].Where(d => d.Lag > 0).Select(d => (step + d.Lag, step, transaction, d)));
                if (step < last)
                {
                    await Task.Delay(random.Next(MinStepGap, MaxStepGap), cancellationToken);
                }
            }

            Assert.Empty(late);
        }

        private async Task HoldBackAsync(CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _backlog) > MaxBacklog)
            {
                await Task.Delay(50, cancellationToken);
            }

            Interlocked.Add(ref _heldBackTicks, Stopwatch.GetElapsedTime(started).Ticks);
        }

        // A trap: the GET of the transaction the last step changes is answered late, with the
        // state from before that step; the step and its callback happen while the answer is held
        // back. Only the trap's callback names the transaction by its generic path, so it is the
        // one that gets the stale answer.
        private async Task<TrapRecord> SetTrapAsync(PaymentPlan payment, Random random, CancellationToken cancellationToken)
        {
            var target = payment.Payment.WillChange(payment.Steps[^1])!;
            var fault = new Fault { Path = target.GenericPath, Status = 200, DelayMilliseconds = TrapDelayMilliseconds, Remaining = 1 };
            State.AddFault(fault);
            var form = CallbackForm.Random(random, typedOnly: false) with { GenericPath = true };
            var id = await PostAsync(payment, payment.Steps.Length - 2, target, form, SentKind.Trap);
            var deadline = Stopwatch.StartNew();
            while (fault.Remaining > 0 && deadline.Elapsed < TrapTakenTimeout)
            {
                await Task.Delay(10, cancellationToken);
            }

            return new TrapRecord(payment.Payment, id, Taken: fault.Remaining == 0);
        }

        private async Task<string> PostAsync(PaymentPlan payment, int step, SyntheticTransaction transaction, CallbackForm form, SentKind kind)
        {
            var body = payment.Payment.Callback(transaction, form, run.PayEx.BaseUrl);
            using var response = await run.PostCallbackAsync(body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"Seed {plan.Seed}: the callback {body} was answered {(int)response.StatusCode}: {text}");
            var id = JsonNode.Parse(text)!["id"]!.GetValue<string>();
            _sent.Add(new SentCallback(id, payment.Payment.Id, step, kind));
            return id;
        }
    }
}
