using Azure;
using Azure.Storage.Queues;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// The order system's side of the events queue during a processing run: receives and deletes, as a consumer in
/// production would, so that the queue stays short. Left unconsumed, it grew by thousands of messages a phase, and
/// Azurite's queue operations (the callbacks' own among them) slowed as it grew; an Azure queue does not.
/// </summary>
internal sealed class EventsConsumer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private int _consumed;

    private EventsConsumer(QueueClient queue) => _run = Task.Run(() => RunAsync(queue, _stop.Token));

    public int Consumed => Volatile.Read(ref _consumed);

    public static EventsConsumer Start(QueueClient queue) => new(queue);

    private async Task RunAsync(QueueClient queue, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1), stop)).Value;
                if (batch.Length == 0)
                {
                    await Task.Delay(100, stop);
                    continue;
                }

                await Task.WhenAll(batch.Select(m => queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, stop)));
                Interlocked.Add(ref _consumed, batch.Length);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // Not made yet (the app makes it with its first event), or a build without events.
                await Task.Delay(500, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
            // Stopped in a delay.
        }

        _stop.Dispose();
    }
}
