using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using PayExCallbackFunctions.Hosting;
using PayExCallbackFunctions.Processing;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Hosting;

/// <summary>
/// The standalone queue trigger on its own, on a real Azurite queue, with a handler that fails as a
/// crash would: the Functions host's promises for failures nothing else caught.
/// </summary>
public class QueueTriggerTests
{
    private static QueuesOptions Options => new()
    {
        BatchSize = 4,
        MaxPollingInterval = TimeSpan.FromMilliseconds(200),
        VisibilityTimeout = TimeSpan.FromSeconds(1),
        MaxDequeueCount = 3,
    };

    private static async Task<QueueListener> StartAsync(TestStorage storage, QueueMessageHandler handle)
    {
        await storage.Queue.CreateIfNotExistsAsync();
        var listener = new QueueListener(storage.Queue, storage.Poison, handle, Options, TimeProvider.System, Mock.Of<IHostApplicationLifetime>(), NullLogger<QueueListener>.Instance);
        await listener.StartAsync(CancellationToken.None);
        return listener;
    }

    private static async Task SendAsync(TestStorage storage, string text) =>
        await storage.Queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task A_message_whose_handler_keeps_throwing_is_tried_maxDequeueCount_times_visibilityTimeout_apart_then_poisoned()
    {
        await using var storage = await TestStorage.CreateAsync();
        var attempts = new ConcurrentQueue<(long DequeueCount, DateTimeOffset At)>();
        using var listener = await StartAsync(storage, (_, _, dequeueCount, _) =>
        {
            attempts.Enqueue((dequeueCount, DateTimeOffset.UtcNow));
            throw new InvalidOperationException("a bug");
        });

        await SendAsync(storage, "crashes every time");
        var poisoned = await Eventually.GetAsync(async () => (await TestStorage.PeekAsync(storage.Poison)).SingleOrDefault(), "the message in the poison queue");
        await listener.StopAsync(CancellationToken.None);

        Assert.Equal("crashes every time", poisoned);
        Assert.Equal([1L, 2L, 3L], attempts.Select(a => a.DequeueCount));
        var at = attempts.Select(a => a.At).ToArray();
        Assert.True(at[1] - at[0] >= TimeSpan.FromSeconds(0.9), $"second attempt after {at[1] - at[0]}, before the visibility timeout");
        Assert.Equal(0, await storage.ApproximateCountAsync(storage.Queue));
    }

    [Fact]
    public async Task A_handler_that_fails_once_gets_the_message_again_and_completes_it()
    {
        await using var storage = await TestStorage.CreateAsync();
        var calls = 0;
        using var listener = await StartAsync(storage, (message, _, _, _) =>
            Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("once") : Task.CompletedTask);

        await SendAsync(storage, "fails once");
        await Eventually.TrueAsync(async () => Volatile.Read(ref calls) == 2 && await storage.ApproximateCountAsync(storage.Queue) == 0, "the second attempt to complete the message");
        await listener.StopAsync(CancellationToken.None);

        Assert.Equal(0, await storage.ApproximateCountAsync(storage.Poison));
    }

    [Fact]
    public async Task A_message_that_is_not_base64_reaches_the_handler_as_it_is()
    {
        await using var storage = await TestStorage.CreateAsync();
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = await StartAsync(storage, (message, _, _, _) =>
        {
            seen.TrySetResult(message);
            return Task.CompletedTask;
        });

        await storage.Queue.SendMessageAsync("{not base64}");
        var message = await seen.Task.WaitAsync(Eventually.DefaultTimeout);
        await listener.StopAsync(CancellationToken.None);

        Assert.Equal("{not base64}", message);
    }
}
