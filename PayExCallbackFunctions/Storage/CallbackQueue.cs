using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Callbacks;

namespace PayExCallbackFunctions.Storage;

/// <summary>The queue between the acknowledge and the process functions.</summary>
public sealed class CallbackQueue(QueueServiceClient queues, IOptions<StorageOptions> options)
{
    /// <summary>The queue service's limit on one message, after encoding.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>Room a new callback leaves in its message for the retry path's error history.</summary>
    public const int RetryHeadroomBytes = 4 * 1024;

    // Never expire: a callback waiting out an outage longer than the default 7 days must not vanish.
    private static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(-1);

    private readonly QueueClient _queue = queues.GetQueueClient(options.Value.CallbackQueue);

    /// <summary>Stores a new callback's envelope; returns only once the queue service has it.</summary>
    public Task EnqueueAsync(CallbackEnvelope envelope, CancellationToken cancellationToken)
    {
        var message = Encode(envelope);
        if (message.ToMemory().Length > MaxMessageBytes - RetryHeadroomBytes)
        {
            // Escaping can triple a body of unusual characters; such a callback can never be stored.
            throw new CallbackTooLargeException($"The envelope is {message.ToMemory().Length} bytes once encoded; a queue message holds {MaxMessageBytes}, and {RetryHeadroomBytes} are kept for retries.");
        }

        return SendAsync(message, null, cancellationToken);
    }

    /// <summary>Stores an envelope that is to be processed after <paramref name="delay"/>.</summary>
    public Task EnqueueAsync(BinaryData message, TimeSpan delay, CancellationToken cancellationToken) =>
        SendAsync(message, delay, cancellationToken);

    /// <summary>The envelope as a queue message, in base64 (see <see cref="QueueMessageText"/>).</summary>
    public static BinaryData Encode(CallbackEnvelope envelope) =>
        QueueMessageText.Encode(JsonSerializer.SerializeToUtf8Bytes(envelope, AppJson.Context.CallbackEnvelope));

    private async Task SendAsync(BinaryData message, TimeSpan? delay, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.SendMessageAsync(message, delay, TimeToLive, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 413)
        {
            throw new CallbackTooLargeException("The queue service refused the envelope as too large.", e);
        }
        catch (RequestFailedException e) when (e.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await _queue.SendMessageAsync(message, delay, TimeToLive, cancellationToken);
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
