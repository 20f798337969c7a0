using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Callbacks;

namespace PayExCallbackFunctions.Telemetry;

/// <summary>
/// The last callbacks this instance acknowledged or processed, with how each ended, for the status
/// page. In memory and per instance: Application Insights holds the whole story.
/// </summary>
public sealed class RecentCallbacks(IOptions<TelemetryOptions> options, TimeProvider time)
{
    private readonly int _capacity = options.Value.RecentCallbacks;
    private readonly Dictionary<string, RecentCallback> _byId = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();

    /// <param name="processingAttempt">Which attempt to process the callback this outcome is of (1 for the first); null before any.</param>
    public void Record(string callbackId, CallbackEnvelope? envelope, string outcome, string? detail = null, TimeSpan? lag = null, string? traceId = null, int? processingAttempt = null)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_byId.TryGetValue(callbackId, out var known))
            {
                _byId[callbackId] = known with
                {
                    Outcome = outcome,
                    Detail = detail,
                    Lag = lag ?? known.Lag,
                    UpdatedAt = now,
                    TraceId = known.TraceId ?? traceId,
                    ProcessingAttempts = processingAttempt ?? known.ProcessingAttempts,
                    Replays = envelope?.Replays?.Count ?? known.Replays,
                };
                return;
            }

            _byId[callbackId] = new RecentCallback(
                callbackId,
                envelope?.ReceivedAt ?? now,
                envelope?.Shape,
                envelope?.PaymentNumber,
                envelope?.TransactionNumber,
                envelope is null ? null : CallbackSubject.AttemptNumber(envelope),
                envelope?.PaymentOrder is { } paymentOrder ? paymentOrder[(paymentOrder.LastIndexOf('/') + 1)..] : null,
                outcome,
                detail,
                lag,
                now,
                traceId,
                processingAttempt,
                envelope?.Replays?.Count ?? 0);
            _order.Enqueue(callbackId);
            while (_order.Count > _capacity && _order.TryDequeue(out var oldest))
            {
                _byId.Remove(oldest);
            }
        }
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<RecentCallback> Snapshot()
    {
        lock (_lock)
        {
            return _byId.Values.OrderByDescending(c => c.UpdatedAt).ToArray();
        }
    }
}

/// <summary>
/// One callback as the status page lists it, with the numbers the callback gave: a transaction's, or
/// (v3.1) the number of the payment attempt that triggered it, which is no transaction number; and
/// how often this app tried to process it (<see cref="ProcessingAttempts"/>, counted afresh after a replay).
/// </summary>
public sealed record RecentCallback(
    string Id,
    DateTimeOffset ReceivedAt,
    CallbackShape? Shape,
    long? PaymentNumber,
    long? TransactionNumber,
    long? PaymentAttemptNumber,
    string? PaymentOrderId,
    string Outcome,
    string? Detail,
    TimeSpan? Lag,
    DateTimeOffset UpdatedAt,
    string? TraceId,
    int? ProcessingAttempts = null,
    int Replays = 0);
