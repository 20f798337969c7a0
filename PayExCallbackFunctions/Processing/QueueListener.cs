using System.Collections.Concurrent;
using System.Text;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Hosting;

namespace PayExCallbackFunctions.Processing;

/// <summary>
/// A queue trigger for when no Functions host runs the app: polls a queue with the host's
/// semantics (batch size, new-batch threshold, polling back-off, visibility timeout after a
/// failure, poison queue <c>{queue}-poison</c> after <c>maxDequeueCount</c>). On shutdown it stops
/// fetching, lets the messages in flight finish, and makes visible again those it has to abandon.
/// </summary>
public sealed partial class QueueListener(
    QueueClient queue,
    QueueClient poison,
    QueueMessageHandler handle,
    QueuesOptions options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<QueueListener> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    private readonly QueueClient _queue = queue;
    private readonly QueueClient _poison = poison;
    private readonly QueuesOptions _options = options;

    /// <summary>A listener on <paramref name="queueName"/> with the app's queue settings.</summary>
    public static QueueListener For(IServiceProvider services, string queueName, QueueMessageHandler handle) => new(
        services.GetRequiredService<QueueServiceClient>().GetQueueClient(queueName),
        services.GetRequiredService<QueueServiceClient>().GetQueueClient($"{queueName}-poison"),
        handle,
        services.GetRequiredService<IOptions<QueuesOptions>>().Value,
        services.GetRequiredService<TimeProvider>(),
        services.GetRequiredService<IHostApplicationLifetime>(),
        services.GetRequiredService<ILogger<QueueListener>>());
    private readonly CancellationTokenSource _stopFetching = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly ConcurrentDictionary<string, Task> _inFlight = new();
    private Task? _loop;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogListening(logger, _queue.Name, _options.BatchSize, _options.MaxDequeueCount);
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null)
        {
            return;
        }

        await _stopFetching.CancelAsync();
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out: give up the rest, and give them back to the queue.
            LogAbandoning(logger, _inFlight.Count);
            await _abandon.CancelAsync();
            await _loop.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose()
    {
        _stopFetching.Dispose();
        _abandon.Dispose();
    }

    private async Task RunAsync()
    {
        try
        {
            await PollAsync(_stopFetching.Token);
        }
        catch (Exception e)
        {
            // The listener must not die quietly while the HTTP side goes on acknowledging:
            // stop the app, so that the platform restarts it and the failure is seen.
            LogListenerFailed(logger, e);
            lifetime.StopApplication();
        }
        finally
        {
            await Task.WhenAll(_inFlight.Values);
        }
    }

    private async Task PollAsync(CancellationToken stopping)
    {
        var interval = MinPollingInterval;
        while (!stopping.IsCancellationRequested)
        {
            // As the host: fetch more only once no more than newBatchThreshold are in flight.
            var inFlight = _inFlight.Values;
            if (inFlight.Count > _options.EffectiveNewBatchThreshold)
            {
                await WaitQuietlyAsync(Task.WhenAny(inFlight), stopping);
                continue;
            }

            QueueMessage[] messages;
            try
            {
                // Not cancelled on shutdown: a batch the service has handed out must reach us, or
                // it would stay hidden for the whole lease.
                messages = await _queue.ReceiveMessagesAsync(_options.BatchSize, _options.MessageLease, CancellationToken.None);
            }
            catch (RequestFailedException e) when (e.ErrorCode == QueueErrorCode.QueueNotFound)
            {
                await CreateQuietlyAsync(_queue, stopping);
                continue;
            }
            catch (Exception e)
            {
                LogReceiveFailed(logger, e);
                messages = [];
            }

            if (stopping.IsCancellationRequested)
            {
                foreach (var message in messages)
                {
                    await ReleaseAsync(message, TimeSpan.Zero);
                }

                break;
            }

            if (messages.Length == 0)
            {
                await WaitQuietlyAsync(Task.Delay(interval, time, stopping), stopping);
                interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, _options.MaxPollingInterval.Ticks));
                continue;
            }

            interval = MinPollingInterval;
            foreach (var message in messages)
            {
                // The handler waits until it is registered, so that its own removal comes after.
                var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _inFlight[message.MessageId] = HandleAsync(message, registered.Task);
                registered.SetResult();
            }
        }
    }

    private async Task HandleAsync(QueueMessage message, Task registered)
    {
        await registered;
        try
        {
            if (message.DequeueCount > _options.MaxDequeueCount)
            {
                // Tried often enough already (e.g. it crashed the process each time).
                await MoveToPoisonAsync(message);
                return;
            }

            await handle(Decode(message), message.MessageId, message.DequeueCount, _abandon.Token);
            await CompleteAsync(message);
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            await ReleaseAsync(message, TimeSpan.Zero);
        }
        catch (Exception e)
        {
            LogProcessingFailed(logger, e, message.MessageId, message.DequeueCount, _options.MaxDequeueCount);
            if (message.DequeueCount >= _options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message);
            }
            else
            {
                await ReleaseAsync(message, _options.VisibilityTimeout);
            }
        }
        finally
        {
            _inFlight.TryRemove(message.MessageId, out _);
        }
    }

    // Handled: if the delete fails the message comes back when its lease ends and is handled again
    // (harmless), but it must not count as a failure and go to the poison queue.
    private async Task CompleteAsync(QueueMessage message)
    {
        try
        {
            await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogCompleteFailed(logger, e, message.MessageId);
        }
    }

    private string Decode(QueueMessage message)
    {
        if (!_options.IsBase64)
        {
            return message.Body.ToString();
        }

        // Not base64 after all: the handler gets the text as it is, and finds it unreadable.
        var text = message.Body.ToString();
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var length) ? Encoding.UTF8.GetString(buffer, 0, length) : text;
    }

    private async Task ReleaseAsync(QueueMessage message, TimeSpan visibilityTimeout)
    {
        try
        {
            await _queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, (BinaryData?)null, visibilityTimeout, CancellationToken.None);
        }
        catch (Exception e)
        {
            // The lease runs out by itself; the message comes back then.
            LogReleaseFailed(logger, e, message.MessageId);
        }
    }

    private async Task MoveToPoisonAsync(QueueMessage message)
    {
        try
        {
            // Copy first, then delete: a crash in between duplicates, never loses.
            try
            {
                await _poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None);
            }
            catch (RequestFailedException e) when (e.ErrorCode == QueueErrorCode.QueueNotFound)
            {
                await _poison.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
                await _poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None);
            }

            await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
            LogPoisoned(logger, message.MessageId, message.DequeueCount, _poison.Name);
        }
        catch (Exception e)
        {
            LogReleaseFailed(logger, e, message.MessageId);
        }
    }

    private async Task CreateQuietlyAsync(QueueClient queue, CancellationToken cancellationToken)
    {
        try
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogReceiveFailed(logger, e);
            await WaitQuietlyAsync(Task.Delay(_options.MaxPollingInterval, time, cancellationToken), cancellationToken);
        }
    }

    private static async Task WaitQuietlyAsync(Task wait, CancellationToken cancellationToken)
    {
        try
        {
            await wait.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Standalone: listening to queue {Queue} (batch size {BatchSize}, poison after {MaxDequeueCount} attempts)")]
    private static partial void LogListening(ILogger logger, string queue, int batchSize, int maxDequeueCount);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The queue listener failed; stopping the app so that it is restarted")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receiving from the callback queue failed; polling goes on")]
    private static partial void LogReceiveFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Processing queue message {MessageId} failed (attempt {DequeueCount} of {MaxDequeueCount})")]
    private static partial void LogProcessingFailed(ILogger logger, Exception exception, string messageId, long dequeueCount, int maxDequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give queue message {MessageId} back; it reappears when its lease ends")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue message {MessageId} was handled but could not be deleted; it comes back when its lease ends")]
    private static partial void LogCompleteFailed(ILogger logger, Exception exception, string messageId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue message {MessageId} failed {DequeueCount} times and was moved to {PoisonQueue}")]
    private static partial void LogPoisoned(ILogger logger, string messageId, long dequeueCount, string poisonQueue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown timeout reached with {Count} callbacks in flight; they go back to the queue")]
    private static partial void LogAbandoning(ILogger logger, int count);
}

/// <summary>Handles one message; throwing fails the attempt, as a function invocation would.</summary>
public delegate Task QueueMessageHandler(string message, string messageId, long dequeueCount, CancellationToken cancellationToken);
