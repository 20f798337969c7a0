using System.Text;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Telemetry;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Telemetry;

/// <summary>How far behind processing is, read from real queues (nothing processes them here).</summary>
public class QueueBacklogTests
{
    private static QueueBacklog Backlog(TestStorage storage, TimeProvider time)
    {
        var queues = new QueueServiceClient(storage.Azurite.ConnectionString);
        var options = Options.Create(new StorageOptions { CallbackQueue = storage.QueueName });
        return new(queues, new PoisonQueueCount(queues, options), options, time);
    }

    [Fact]
    public async Task The_backlog_counts_waiting_and_poisoned_messages_and_ages_the_oldest_waiting_one()
    {
        await using var storage = await TestStorage.CreateAsync();
        await storage.Queue.CreateIfNotExistsAsync();
        await storage.Poison.CreateIfNotExistsAsync();
        var first = await storage.Queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("{}")));
        await storage.Queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("{}")));
        await storage.Poison.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("{}")));
        var time = new FakeTimeProvider(first.Value.InsertionTime + TimeSpan.FromMinutes(7));

        var reading = await Backlog(storage, time).ReadAsync(default);

        Assert.Equal(2, reading.Waiting);
        Assert.Equal(1, reading.Poisoned);
        // Insertion times are kept to the second.
        Assert.InRange(reading.OldestAge, TimeSpan.FromMinutes(7) - TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(7) + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Nothing_waiting_is_no_lag_and_missing_queues_are_empty()
    {
        await using var storage = await TestStorage.CreateAsync();

        var reading = await Backlog(storage, TimeProvider.System).ReadAsync(default);

        Assert.Equal(0, reading.Waiting);
        Assert.Equal(0, reading.Poisoned);
        Assert.Equal(TimeSpan.Zero, reading.OldestAge);
    }
}
