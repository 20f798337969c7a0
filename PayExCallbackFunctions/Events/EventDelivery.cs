using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// Sends a payment's recorded events to each sink that has not had them, oldest first, and marks each delivered after the
/// sink took it: at least once (a crash between the two sends it again, with the same id), in sequence order per sink. The
/// sinks go side by side: one failing holds back no other. A failure stops that sink for this payment until its next
/// attempt is due (<see cref="EventsOptions.RetrySchedule"/>, or later if the receiver said so); when the schedule has run
/// out, or the receiver answered 410, the event is undelivered for that sink (<see cref="UndeliveredEvents"/>) and the
/// next one goes on. On one instance a payment is delivered by one caller at a time; a caller that finds it under way
/// has it delivered once more by that one.
/// </summary>
public sealed partial class EventDelivery(
    TableServiceClient tables,
    EventSinks sinks,
    UndeliveredEvents undelivered,
    IOptions<StorageOptions> storage,
    IOptions<EventsOptions> options,
    EventMetrics metrics,
    TimeProvider time,
    ILogger<EventDelivery> logger)
{
    private readonly TableClient _table = tables.GetTableClient(storage.Value.PaymentsTable);
    private readonly IReadOnlyList<TimeSpan> _delays = options.Value.Delays;

    // A payment being delivered on this instance: 0, or 1 when another caller asked for it meanwhile.
    private readonly ConcurrentDictionary<Guid, int> _running = new();

    /// <summary>Delivers what is pending and due for <paramref name="payment"/>.</summary>
    public async Task<DeliveryResult> DeliverAsync(Guid payment, CancellationToken cancellationToken)
    {
        while (!_running.TryAdd(payment, 0))
        {
            if (_running.TryUpdate(payment, 1, 0) || (_running.TryGetValue(payment, out var again) && again == 1))
            {
                return DeliveryResult.Handed;
            }
        }

        try
        {
            while (true)
            {
                var result = await DeliverOnceAsync(payment, cancellationToken);
                if (_running.TryRemove(new KeyValuePair<Guid, int>(payment, 0)))
                {
                    return result;
                }

                _running[payment] = 0;
            }
        }
        catch
        {
            _running.TryRemove(payment, out _);
            throw;
        }
    }

    private async Task<DeliveryResult> DeliverOnceAsync(Guid payment, CancellationToken cancellationToken)
    {
        var partitionKey = payment.ToString("D");
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {EventRow.Prefix} and RowKey lt {EventRow.After}");
        var rows = new List<TableEntity>();
        // Table Storage answers a partition in row-key order: the versions in order. A payment has a few events.
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, 1000, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        var results = await Task.WhenAll(sinks.All.Select(sink => DeliverToAsync(payment, rows, sink, cancellationToken)));
        return DeliveryResult.Of(results);
    }

    private async Task<SinkResult> DeliverToAsync(Guid payment, List<TableEntity> rows, IEventSink sink, CancellationToken cancellationToken)
    {
        var delivered = 0;
        foreach (var row in rows.Where(r => r.GetBoolean(EventRow.Pending(sink.Key)) == true))
        {
            var now = time.GetUtcNow();
            if (row.GetDateTimeOffset(EventRow.RetryAt(sink.Key)) is { } due && due > now)
            {
                return new SinkResult(sink.Key, delivered, due);
            }

            var version = row.GetInt64("Version") ?? 0;
            var recorded = new RecordedEvent(PaymentEvent.Id(payment, version), version, row.GetString(EventRow.DocumentColumn) ?? "");
            var outcome = await sink.SendAsync(recorded, cancellationToken);
            now = time.GetUtcNow();
            if (outcome.Delivered)
            {
                await MergeAsync(row, cancellationToken, (EventRow.Pending(sink.Key), false), (EventRow.DeliveredAt(sink.Key), now));
                metrics.Took(sink.Key, now - (row.GetDateTimeOffset("RecordedAt") ?? now));
                delivered++;
                continue;
            }

            var attempts = (row.GetInt32(EventRow.Attempts(sink.Key)) ?? 0) + 1;
            if (outcome.Gone || attempts > _delays.Count)
            {
                await GiveUpAsync(payment, row, sink, attempts, outcome.Error ?? "", now, cancellationToken);
                continue;
            }

            var wait = _delays[attempts - 1];
            if (outcome.RetryAfter is { } asked && asked > wait)
            {
                // The receiver's word, within what the schedule allows at most between two attempts.
                wait = asked < _delays[^1] ? asked : _delays[^1];
            }

            var retryAt = now + wait;
            await MergeAsync(row, cancellationToken, (EventRow.Attempts(sink.Key), attempts), (EventRow.RetryAt(sink.Key), retryAt), (EventRow.Error(sink.Key), outcome.Error ?? ""));
            metrics.FailedOnce(sink.Key);
            LogFailed(logger, recorded.Id, sink.Description, attempts, outcome.Error ?? "", retryAt);
            return new SinkResult(sink.Key, delivered, retryAt);
        }

        return new SinkResult(sink.Key, delivered, null);
    }

    // The index row first: an event is never taken off its sink without the operator being able to find it. Once it is
    // listed, the operator may replay it before this delivery takes it off, so the row is read again, and the write is
    // guarded by that read's ETag (other sinks' writes to the row come and go meanwhile).
    private async Task GiveUpAsync(Guid payment, TableEntity row, IEventSink sink, int attempts, string error, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var version = row.GetInt64("Version") ?? 0;
        var entry = new UndeliveredEvent(sink.Key, payment, version, row.GetString("Type") ?? "", attempts, error, row.GetDateTimeOffset("RecordedAt") ?? now, now);
        await undelivered.AddAsync(entry, cancellationToken);
        while (true)
        {
            var current = (await _table.GetEntityAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: cancellationToken)).Value;
            if (current.GetBoolean(EventRow.Pending(sink.Key)) != true)
            {
                // Another instance's delivery took it off meanwhile: delivered, or listed as this one is.
                return;
            }

            if (current.GetInt32(EventRow.Attempts(sink.Key)) != row.GetInt32(EventRow.Attempts(sink.Key))
                || current.GetDateTimeOffset(EventRow.RetryAt(sink.Key)) != row.GetDateTimeOffset(EventRow.RetryAt(sink.Key)))
            {
                // Pending again since this delivery read it (a replay, or another instance's attempt): it goes on, and
                // the entry is stale.
                await undelivered.RemoveAsync(entry.Id, cancellationToken);
                return;
            }

            try
            {
                var update = Update(row, (EventRow.Pending(sink.Key), false), (EventRow.Attempts(sink.Key), attempts), (EventRow.Error(sink.Key), error), (EventRow.UndeliveredAt(sink.Key), now));
                await _table.UpdateEntityAsync(update, current.ETag, TableUpdateMode.Merge, cancellationToken);
                break;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Written since the read: look again.
            }
        }

        metrics.GaveUp(sink.Key);
        LogGaveUp(logger, PaymentEvent.Id(payment, version), sink.Description, attempts, error);
    }

    // ETag.All: another delivery of the same event may have written since; either way it was sent at least once.
    private async Task MergeAsync(TableEntity row, CancellationToken cancellationToken, params (string Column, object Value)[] columns) =>
        await _table.UpdateEntityAsync(Update(row, columns), ETag.All, TableUpdateMode.Merge, cancellationToken);

    private static TableEntity Update(TableEntity row, params (string Column, object Value)[] columns)
    {
        var update = new TableEntity(row.PartitionKey, row.RowKey);
        foreach (var (column, value) in columns)
        {
            update[column] = value;
        }

        return update;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} was not delivered to {Sink} (attempt {Attempt}): {Error}; next attempt at {RetryAt:O}")]
    private static partial void LogFailed(ILogger logger, string eventId, string sink, int attempt, string error, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId} is undelivered to {Sink} after {Attempts} attempts: {Error}. Replay it from the status page or the admin API")]
    private static partial void LogGaveUp(ILogger logger, string eventId, string sink, int attempts, string error);
}

/// <summary>One sink's part of a delivery: how many went, and when the next attempt is due if some are left.</summary>
public sealed record SinkResult(string Sink, int Delivered, DateTimeOffset? RetryAt);

/// <summary>
/// What a delivery did: events sent (all sinks), whether some are left, when the earliest is due again, and which sinks
/// wait. <see cref="Handed"/>: under way on this instance, which delivers it once more.
/// </summary>
public sealed record DeliveryResult(int Delivered, bool Left, DateTimeOffset? RetryAt, IReadOnlyList<string> Waiting)
{
    public static readonly DeliveryResult Handed = new(0, true, null, []);

    public static DeliveryResult Of(IReadOnlyCollection<SinkResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var waiting = results.Where(r => r.RetryAt is not null).ToList();
        return new DeliveryResult(results.Sum(r => r.Delivered), waiting.Count > 0, waiting.Min(r => r.RetryAt), waiting.Select(r => r.Sink).ToArray());
    }
}
