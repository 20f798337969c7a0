using PayExCallbackFunctions.Processing;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Hosting;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.DeadLetters;

/// <summary>The poison queue's intake on real Azurite, with a dead-letter table that refuses every write.</summary>
public class PoisonedCallbacksTests
{
    private static PoisonedCallbacks Intake(TestStorage storage)
    {
        // Azurite refuses a table name with an underscore, as a table that cannot be written would.
        var names = Options.Create(new StorageOptions { CallbackQueue = storage.QueueName, DeadLettersTable = "Refused_Name" });
        return new PoisonedCallbacks(
            new DeadLetterTable(new TableServiceClient(storage.Azurite.ConnectionString), names, TestMetrics.Create()),
            new QueueServiceClient(storage.Azurite.ConnectionString),
            names,
            Options.Create(new QueuesOptions { MaxDequeueCount = 5 }),
            TimeProvider.System,
            NullLogger<PoisonedCallbacks>.Instance);
    }

    [Fact]
    public async Task A_dead_letter_that_cannot_be_written_fails_the_attempt_so_the_trigger_tries_again()
    {
        await using var storage = await TestStorage.CreateAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => Intake(storage).DeadLetterAsync(new DeliveredMessage("message", "m1", 4), default));
        Assert.Equal(0, await storage.ApproximateCountAsync(storage.Poison));
    }

    [Fact]
    public async Task At_the_last_attempt_the_message_goes_back_on_the_poison_queue_instead_of_a_queue_nothing_reads()
    {
        await using var storage = await TestStorage.CreateAsync();
        await storage.Poison.CreateIfNotExistsAsync();

        await Intake(storage).DeadLetterAsync(new DeliveredMessage("message", "m1", 5), default);

        // Hidden for a minute, then tried afresh.
        Assert.Equal(1, await storage.ApproximateCountAsync(storage.Poison));
        Assert.Empty(await TestStorage.PeekAsync(storage.Poison));
    }
}
