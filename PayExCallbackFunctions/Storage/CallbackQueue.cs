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
    /// <summary>The queue service's limit on one message, after encoding.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    private readonly QueueClient _queue = queues.GetQueueClient(options.Value.CallbackQueue);

    /// <summary>Stores the envelope; returns only once the queue service has it.</summary>
    public async Task EnqueueAsync(CallbackEnvelope envelope, CancellationToken cancellationToken)
    {
        // Encoded as host.json's messageEncoding says, so that the Functions host's trigger can read it.
        var json = JsonSerializer.SerializeToUtf8Bytes(envelope, AppJson.Context.CallbackEnvelope);
        var message = encoding.Value.IsBase64 ? new BinaryData(Convert.ToBase64String(json)) : new BinaryData(json);
        if (message.ToMemory().Length > MaxMessageBytes)
        {
            // Escaping can triple a body of unusual characters; such a callback can never be stored.
            throw new CallbackTooLargeException($"The envelope is {message.ToMemory().Length} bytes once encoded; a queue message holds {MaxMessageBytes}.");
        }

        try
        {
            await _queue.SendMessageAsync(message, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 413)
        {
            throw new CallbackTooLargeException("The queue service refused the envelope as too large.", e);
        }
        catch (RequestFailedException e) when (e.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await _queue.SendMessageAsync(message, cancellationToken: cancellationToken);
        }
    }
}

/// <summary>A callback whose envelope does not fit a queue message: retrying cannot help.</summary>
public sealed class CallbackTooLargeException : Exception
{
    public CallbackTooLargeException() { }

    public CallbackTooLargeException(string message) : base(message) { }

    public CallbackTooLargeException(string message, Exception inner) : base(message, inner) { }
}
