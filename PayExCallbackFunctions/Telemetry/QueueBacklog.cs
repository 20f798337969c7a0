using Azure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Telemetry;

/// <summary>
/// How far behind processing is: the messages on the callback queue and on its poison queue (a
/// queue's count includes hidden ones: retries waiting for their time, messages being processed),
/// and the age of the oldest callback ready to be processed (hidden ones are not, so they do not age the backlog).
/// </summary>
public sealed class QueueBacklog(QueueServiceClient queues, PoisonQueueCount poison, IOptions<StorageOptions> options, TimeProvider time)
{
    private readonly QueueClient _callbacks = queues.GetQueueClient(options.Value.CallbackQueue);

    public string CallbackQueue => _callbacks.Name;

    public string PoisonQueue => poison.Queue;

    public async Task<QueueBacklogReading> ReadAsync(CancellationToken cancellationToken)
    {
        var waiting = await CountAsync(cancellationToken);
        var poisoned = await poison.CountAsync(cancellationToken);
        TimeSpan? oldest = null;
        if (waiting > 0)
        {
            var peeked = await _callbacks.PeekMessagesAsync(1, cancellationToken);
            if (peeked.Value is [{ InsertedOn: { } inserted }])
            {
                oldest = time.GetUtcNow() - inserted;
            }
        }

        return new QueueBacklogReading(waiting, poisoned, oldest ?? TimeSpan.Zero, time.GetUtcNow());
    }

    private async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await _callbacks.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }
    }
}

/// <summary>One look at the queues; <see cref="OldestAge"/> is zero when nothing waits.</summary>
public sealed record QueueBacklogReading(int Waiting, int Poisoned, TimeSpan OldestAge, DateTimeOffset ReadAt);
