using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.Hosting;

namespace PayExCallbackFunctions.Storage;

/// <summary>The queue between the acknowledge and the process functions.</summary>
public sealed class CallbackQueue(QueueServiceClient queues, IOptions<StorageOptions> options, IOptions<QueuesOptions> encoding)
{
    private readonly QueueClient _queue = queues.GetQueueClient(options.Value.CallbackQueue);

    /// <summary>Stores the envelope; returns only once the queue service has it.</summary>
    public async Task EnqueueAsync(CallbackEnvelope envelope, CancellationToken cancellationToken)
    {
        // Encoded as host.json's messageEncoding says, so that the Functions host's trigger can read it.
        var json = JsonSerializer.SerializeToUtf8Bytes(envelope, AppJson.Context.CallbackEnvelope);
        var message = encoding.Value.IsBase64 ? new BinaryData(Convert.ToBase64String(json)) : new BinaryData(json);
        try
        {
            await _queue.SendMessageAsync(message, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await _queue.SendMessageAsync(message, cancellationToken: cancellationToken);
        }
    }
}
