using Azure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// The Azure Storage queue sink (<see cref="EventsOptions.Queue"/>): one message per event, the CloudEvents JSON
/// base64-encoded, as a Functions queue trigger reads by default; never expiring, like the callback queue's messages.
/// </summary>
public sealed class QueueSink(QueueServiceClient queues, IOptions<EventsOptions> options) : IEventSink
{
    public const string SinkKey = "Queue";

    private static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(-1);

    private readonly QueueClient _queue = queues.GetQueueClient(options.Value.Queue);

    public string Key => SinkKey;

    public string Description => $"queue {_queue.Name}";

    public async Task<SendOutcome> SendAsync(RecordedEvent recorded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var text = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(recorded.Document));
        try
        {
            try
            {
                await _queue.SendMessageAsync(text, null, TimeToLive, cancellationToken);
            }
            catch (RequestFailedException e) when (e.ErrorCode == "QueueNotFound")
            {
                await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                await _queue.SendMessageAsync(text, null, TimeToLive, cancellationToken);
            }

            return SendOutcome.Done;
        }
        catch (RequestFailedException e)
        {
            return SendOutcome.Failed($"the queue answered {e.Status} {e.ErrorCode}");
        }
    }
}
