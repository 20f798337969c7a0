using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Status;

/// <summary>
/// The list of payments whose status changed last (for the status page), against Azurite: newest first, one entry
/// per payment, bounded by its trim, and read at the cost of what is asked.
/// </summary>
public class RecentPaymentsListTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_list_is_newest_change_first_and_a_payments_new_change_replaces_its_entry()
    {
        await using var storage = await TestStorage.CreateAsync();
        var recent = List(storage);
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        await recent.RecordAsync(a, null, T0, default);
        await recent.RecordAsync(b, null, T0.AddSeconds(1), default);
        await recent.RecordAsync(c, null, T0.AddSeconds(2), default);
        Assert.Equal([c, b, a], await recent.ListAsync(10, default));

        // a changes again, its previous change read back as the status row holds it (ticks beyond the millisecond kept).
        await recent.RecordAsync(a, T0.AddTicks(1234), T0.AddSeconds(3), default);

        Assert.Equal([a, c, b], await recent.ListAsync(10, default));
        Assert.Equal([a, c], await recent.ListAsync(2, default));
        Assert.Equal(3, (await EntriesAsync(storage)).Count);
    }

    [Fact]
    public async Task An_entry_left_behind_by_a_lost_race_shows_the_payment_once()
    {
        await using var storage = await TestStorage.CreateAsync();
        var recent = List(storage);
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());

        await recent.RecordAsync(a, null, T0, default);
        await recent.RecordAsync(b, null, T0.AddSeconds(1), default);
        // As two writers of a's changes interleaved: neither removed the other's entry.
        await recent.RecordAsync(a, null, T0.AddSeconds(2), default);

        Assert.Equal(3, (await EntriesAsync(storage)).Count);
        Assert.Equal([a, b], await recent.ListAsync(10, default));
    }

    [Fact]
    public async Task A_trim_keeps_only_the_newest_entries()
    {
        await using var storage = await TestStorage.CreateAsync();
        var recent = List(storage);
        var payments = Enumerable.Range(0, 7).Select(_ => Guid.NewGuid()).ToArray();
        for (var i = 0; i < payments.Length; i++)
        {
            await recent.RecordAsync(payments[i], null, T0.AddMinutes(i), default);
        }

        await recent.TrimAsync(3, default);

        Assert.Equal(payments.Reverse().Take(3), await recent.ListAsync(10, default));
        Assert.Equal(3, (await EntriesAsync(storage)).Count);
    }

    [Fact]
    public async Task Without_its_table_the_list_is_empty_and_recording_creates_it()
    {
        await using var storage = await TestStorage.CreateAsync();
        var recent = List(storage);
        var a = Guid.NewGuid();

        Assert.Empty(await recent.ListAsync(10, default));
        await recent.RecordAsync(a, null, T0, default);

        Assert.Equal([a], await recent.ListAsync(10, default));
    }

    private static RecentPayments List(TestStorage storage) => new(
        new TableServiceClient(storage.Azurite.ConnectionString),
        Options.Create(new StorageOptions { PaymentReferencesTable = storage.ReferencesTableName }),
        NullLogger<RecentPayments>.Instance);

    private static Task<List<TableEntity>> EntriesAsync(TestStorage storage) =>
        storage.References.QueryAsync<TableEntity>(e => e.PartitionKey == RecentPayments.PartitionKey).ToListAsync().AsTask();
}
