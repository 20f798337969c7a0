using Azure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.DeadLetters;

/// <summary>
/// How many messages wait in the poison queue, not yet turned into dead letters: the one count the admin
/// API and the status page both show. (A poison queue has no poison queue of its own: the host's queue
/// trigger gives none to a queue whose name ends in -poison.)
/// </summary>
public sealed class PoisonQueueCount(QueueServiceClient queues, IOptions<StorageOptions> options)
{
    private readonly QueueClient _poison = queues.GetQueueClient(options.Value.PoisonQueue);

    public string Queue => _poison.Name;

    /// <summary>A queue not created yet holds none; storage failing throws.</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await _poison.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }
    }
}
