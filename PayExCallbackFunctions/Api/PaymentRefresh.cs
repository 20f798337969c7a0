using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Processing;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Api;

/// <summary>
/// Asks PayEx about a payment now and stores the answer through the same path as a callback, at most once per
/// <see cref="ApiOptions.RefreshInterval"/> per payment: within it, and while another refresh of the payment
/// is under way (here or on another instance), the stored status is the answer.
/// </summary>
public sealed partial class PaymentRefresh(
    CallbackProcessor processor,
    TableServiceClient tables,
    IOptions<StorageOptions> storage,
    IOptions<ApiOptions> options,
    TimeProvider time,
    ILogger<PaymentRefresh> logger)
{
    /// <summary>The row in the payment's partition that says which refresh may ask PayEx.</summary>
    public const string ClaimRowKey = "refresh";

    private readonly TableClient _table = tables.GetTableClient(storage.Value.PaymentsTable);
    private readonly ConcurrentDictionary<Guid, Lazy<Task<RefreshOutcome>>> _running = new();

    public Task<RefreshOutcome> RefreshAsync(StoredPayment payment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payment);
        if (payment.Status is { } status && time.GetUtcNow() - status.CheckedAt < options.Value.RefreshInterval)
        {
            return Task.FromResult(RefreshOutcome.NotAsked($"PayEx was asked {Seconds(time.GetUtcNow() - status.CheckedAt)} s ago; a refresh asks again after {options.Value.RefreshIntervalSeconds} s."));
        }

        // Concurrent refreshes on this instance share one; the request that started it does not cancel it for the others.
        var running = _running.GetOrAdd(payment.Key, _ => new Lazy<Task<RefreshOutcome>>(() => RunAsync(payment)));
        var task = running.Value;
        _ = task.ContinueWith(_ => _running.TryRemove(KeyValuePair.Create(payment.Key, running)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task.WaitAsync(cancellationToken);
    }

    private async Task<RefreshOutcome> RunAsync(StoredPayment payment)
    {
        await Task.Yield();
        try
        {
            if (!await ClaimAsync(payment.Key))
            {
                return RefreshOutcome.NotAsked("Another refresh of this payment asked PayEx just now.");
            }

            await processor.ProcessAsync(ReadAgain.Envelope(payment, ReadOrigin.Refresh, time.GetUtcNow()), CancellationToken.None);
            return RefreshOutcome.Asked;
        }
        catch (Exception e) when (e is PayExRequestException or PayExResourceException or InvalidCallbackMessageException or SignedOrderMismatchException)
        {
            LogRefreshFailed(logger, payment.Key, e.Message);
            return RefreshOutcome.Failed(e.Message);
        }
    }

    // A conditional write: of the refreshes that find the last claim old, one wins.
    private async Task<bool> ClaimAsync(Guid key)
    {
        var partition = key.ToString("D");
        var now = time.GetUtcNow();
        var claim = new TableEntity(partition, ClaimRowKey) { ["ClaimedAt"] = now };
        var stored = await _table.GetEntityIfExistsAsync<TableEntity>(partition, ClaimRowKey);
        try
        {
            if (!stored.HasValue)
            {
                await _table.AddEntityAsync(claim);
                return true;
            }

            if (now - (stored.Value!.GetDateTimeOffset("ClaimedAt") ?? DateTimeOffset.MinValue) < options.Value.RefreshInterval)
            {
                return false;
            }

            await _table.UpdateEntityAsync(claim, stored.Value.ETag, TableUpdateMode.Replace);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    private static long Seconds(TimeSpan age) => (long)Math.Max(0, age.TotalSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A refresh of payment {PaymentKey} found PayEx unable to answer; the stored status was given: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, Guid paymentKey, string reason);
}

/// <summary>Whether a refresh asked PayEx, and if it did not, or PayEx did not answer, why.</summary>
public sealed record RefreshOutcome(bool Refreshed, string? Detail)
{
    public static RefreshOutcome Asked { get; } = new(true, null);

    public static RefreshOutcome NotAsked(string why) => new(false, why);

    public static RefreshOutcome Failed(string why) => new(false, $"PayEx could not be asked: {why}");
}
