using Azure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.DeadLetters;

/// <summary>How many messages wait in the poison queue, not yet turned into dead letters.</summary>
public sealed class PoisonQueueCount(QueueServiceClient queues, IOptions<StorageOptions> options)
{
    private readonly QueueClient _poison = queues.GetQueueClient(options.Value.PoisonQueue);

    public async Task<int> GetAsync(CancellationToken cancellationToken)
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
