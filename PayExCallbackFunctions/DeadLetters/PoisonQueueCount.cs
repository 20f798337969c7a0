using Azure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.DeadLetters;

/// <summary>
/// How many messages wait in the poison queues (<see cref="StorageOptions.PoisonQueues"/>), not yet
/// turned into dead letters: the one count the admin API and the status page both show.
/// </summary>
public sealed class PoisonQueueCount(QueueServiceClient queues, IOptions<StorageOptions> options)
{
    private readonly QueueClient[] _poison = [.. options.Value.PoisonQueues.Select(queues.GetQueueClient)];

    /// <summary>The queues counted, the poison queue first.</summary>
    public IReadOnlyList<string> Queues => options.Value.PoisonQueues;

    /// <summary>A queue not created yet holds none; storage failing throws.</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken)
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
        }

        return total;
    }
}
