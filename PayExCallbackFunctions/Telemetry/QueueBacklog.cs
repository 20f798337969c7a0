using Azure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Telemetry;

/// <summary>
/// How far behind processing is: the messages on the callback queue and on the poison queues (a
/// queue's count includes hidden ones: retries waiting for their time, messages being processed),
/// and the age of the oldest callback ready to be processed (hidden ones are not, so they do not age the backlog).
/// </summary>
public sealed class QueueBacklog(QueueServiceClient queues, PoisonQueueCount poison, IOptions<StorageOptions> options, TimeProvider time)
{
    private readonly QueueClient _callbacks = queues.GetQueueClient(options.Value.CallbackQueue);

    public string CallbackQueue => _callbacks.Name;

    /// <summary>The poison queue, whose name the poison gauge carries.</summary>
    public string PoisonQueue => poison.Queues[0];

    /// <summary>Every queue <see cref="QueueBacklogReading.Poisoned"/> counts.</summary>
    public IReadOnlyList<string> PoisonQueues => poison.Queues;

    public async Task<QueueBacklogReading> ReadAsync(CancellationToken cancellationToken)
    {
        var waiting = await CountAsync(_callbacks, cancellationToken);
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

    private static async Task<int> CountAsync(QueueClient queue, CancellationToken cancellationToken)
    {
        try
        {
            return (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }
    }
}

/// <summary>One look at the queues; <see cref="OldestAge"/> is zero when nothing waits.</summary>
public sealed record QueueBacklogReading(int Waiting, int Poisoned, TimeSpan OldestAge, DateTimeOffset ReadAt);
