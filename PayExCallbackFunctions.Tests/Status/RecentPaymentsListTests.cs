using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Status;

/// <summary>
/// The list of payments whose status changed last (for the status page), against Azurite: noted in memory and
/// written at a flush, newest first, one entry per payment, bounded by its trim, and read at the cost of what is asked.
/// </summary>
public class RecentPaymentsListTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_list_is_newest_change_first_and_a_payments_new_change_replaces_its_entry()
    {
        await using var storage = await TestStorage.CreateAsync();
        using var recent = List(storage);
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        recent.Record(a, null, T0);
        recent.Record(b, null, T0.AddSeconds(1));
        recent.Record(c, null, T0.AddSeconds(2));
        Assert.Empty(await recent.ListAsync(10, default));
        await recent.FlushAsync(default);
        Assert.Equal([c, b, a], await recent.ListAsync(10, default));

        // a changes again, its previous change read back as the status row holds it (ticks beyond the millisecond kept).
        recent.Record(a, T0.AddTicks(1234), T0.AddSeconds(3));
        await recent.FlushAsync(default);

        Assert.Equal([a, c, b], await recent.ListAsync(10, default));
        Assert.Equal([a, c], await recent.ListAsync(2, default));
        Assert.Equal(3, (await EntriesAsync(storage)).Count);
    }

    [Fact]
    public async Task Changes_between_two_flushes_are_written_once_per_payment_and_an_entry_gone_already_is_no_failure()
    {
        await using var storage = await TestStorage.CreateAsync();
        using var recent = List(storage);
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        recent.Record(a, null, T0);
        await recent.FlushAsync(default);

        // a changes twice and b once before the next flush; b's previous entry was never written (trimmed, or lost).
        recent.Record(a, T0, T0.AddSeconds(1));
        recent.Record(b, T0.AddSeconds(-5), T0.AddSeconds(2));
        recent.Record(a, T0.AddSeconds(1), T0.AddSeconds(3));
        // An older change noted late does not hide the newer one.
        recent.Record(a, null, T0.AddSeconds(2));
        await recent.FlushAsync(default);

        Assert.Equal([a, b], await recent.ListAsync(10, default));
        var entries = await EntriesAsync(storage);
        Assert.Equal([RecentPayments.RowKey(a, T0.AddSeconds(3)), RecentPayments.RowKey(b, T0.AddSeconds(2))], entries.Select(e => e.RowKey));
    }

    [Fact]
    public async Task An_entry_left_behind_by_a_lost_race_shows_the_payment_once()
    {
        await using var storage = await TestStorage.CreateAsync();
        using var recent = List(storage);
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());

        recent.Record(a, null, T0);
        recent.Record(b, null, T0.AddSeconds(1));
        await recent.FlushAsync(default);
        // As two instances noted a's changes: neither removed the other's entry.
        recent.Record(a, null, T0.AddSeconds(2));
        await recent.FlushAsync(default);

        Assert.Equal(3, (await EntriesAsync(storage)).Count);
        Assert.Equal([a, b], await recent.ListAsync(10, default));
    }

    [Fact]
    public async Task A_trim_keeps_only_the_newest_entries()
    {
        await using var storage = await TestStorage.CreateAsync();
        using var recent = List(storage);
        var payments = Enumerable.Range(0, 7).Select(_ => Guid.NewGuid()).ToArray();
        for (var i = 0; i < payments.Length; i++)
        {
            recent.Record(payments[i], null, T0.AddMinutes(i));
        }

        await recent.FlushAsync(default);

        await recent.TrimAsync(3, default);

        Assert.Equal(payments.Reverse().Take(3), await recent.ListAsync(10, default));
        Assert.Equal(3, (await EntriesAsync(storage)).Count);
    }

    [Fact]
    public async Task Without_its_table_the_list_is_empty_and_recording_creates_it()
    {
        await using var storage = await TestStorage.CreateAsync();
        using var recent = List(storage);
        var a = Guid.NewGuid();

        Assert.Empty(await recent.ListAsync(10, default));
        recent.Record(a, null, T0);
        await recent.FlushAsync(default);

        Assert.Equal([a], await recent.ListAsync(10, default));
    }

    private static RecentPayments List(TestStorage storage) => new(
        new TableServiceClient(storage.Azurite.ConnectionString),
        Options.Create(new StorageOptions { PaymentReferencesTable = storage.ReferencesTableName }),
        NullLogger<RecentPayments>.Instance);

    private static Task<List<TableEntity>> EntriesAsync(TestStorage storage) =>
        storage.References.QueryAsync<TableEntity>(e => e.PartitionKey == RecentPayments.PartitionKey).ToListAsync().AsTask();
}
