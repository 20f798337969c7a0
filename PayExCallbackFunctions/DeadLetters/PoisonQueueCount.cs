using Azure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.DeadLetters;

/// <summary>
/// How many messages wait in the poison queue, not yet turned into dead letters, and in the poison
/// queue's own poison queue, should a message ever have got there.
/// </summary>
public sealed class PoisonQueueCount(QueueServiceClient queues, IOptions<StorageOptions> options)
{
    private readonly QueueClient[] _poison =
    [
        queues.GetQueueClient(options.Value.PoisonQueue),
        queues.GetQueueClient($"{options.Value.PoisonQueue}-poison"),
    ];

    /// <summary>Null when the queues cannot be asked; the dead letters are listed all the same.</summary>
    public async Task<int?> GetAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var queue in _poison)
        {
            try
            {
                total += (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
            }
            catch (RequestFailedException)
            {
                return null;
            }
        }

        return total;
    }
}
