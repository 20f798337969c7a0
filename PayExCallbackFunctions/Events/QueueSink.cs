using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// The Azure Storage queue sink (<see cref="EventsOptions.Queue"/>): one message per event, the CloudEvents JSON
/// base64-encoded, as a Functions queue trigger reads by default; never expiring, like the callback queue's messages.
/// </summary>
public sealed class QueueSink(QueueServiceClient queues, IOptions<EventsOptions> options)
{
    public const string Name = "queue";

    private static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(-1);

    private readonly QueueClient _queue = queues.GetQueueClient(options.Value.Queue);

    public async Task SendAsync(string document, CancellationToken cancellationToken)
    {
        var text = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(document));
        try
        {
            await _queue.SendMessageAsync(text, null, TimeToLive, cancellationToken);
        }
        catch (Azure.RequestFailedException e) when (e.ErrorCode == "QueueNotFound")
        {
            await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await _queue.SendMessageAsync(text, null, TimeToLive, cancellationToken);
        }
    }
}
