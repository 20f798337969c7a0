using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Pipeline;

/// <summary>The writer on a real Azurite table: only a resource PayEx updated later replaces a row.</summary>
public class PaymentStateWriterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static async Task<(PaymentStateWriter Writer, TestStorage Storage)> WriterAsync()
    {
        var storage = await TestStorage.CreateAsync();
        var tables = new TableServiceClient(storage.Azurite.ConnectionString);
        var options = Options.Create(new StorageOptions { PaymentsTable = storage.TableName });
        return (new PaymentStateWriter(tables, options, TimeProvider.System), storage);
    }

    // Ticks apart, to catch a store that keeps less than PayEx's seven decimals.
    private static PayExResource Payment(int version, long ticks = 0) =>
        new("payment-x", "/psp/x", $$"""{"version":{{version}}}""") { State = $"v{version}", Updated = version == 0 ? null : T0.AddTicks(version + ticks) };

    private static async Task<string?> StoredStateAsync(TestStorage storage, Guid partition) =>
        (await storage.RowsAsync(partition)).Single().GetString("State");

    [Fact]
    public async Task Rows_not_stored_yet_take_one_request_and_only_rows_already_there_are_read_first()
    {
        var storage = await TestStorage.CreateAsync();
        await using var _ = storage;
        var requests = new RequestCounter();
        var options = new TableClientOptions();
        options.AddPolicy(requests, Azure.Core.HttpPipelinePosition.PerCall);
        var writer = new PaymentStateWriter(new TableServiceClient(storage.Azurite.ConnectionString, options), Options.Create(new StorageOptions { PaymentsTable = storage.TableName }), TimeProvider.System);
        await storage.Table.CreateIfNotExistsAsync();
        var partition = Guid.NewGuid();
        PayExResource Transaction(int version) => new("transaction-y", "/psp/x/transactions/y", "{}") { Updated = T0.AddTicks(version) };

        Assert.Equal(["payment-x", "transaction-y"], (await writer.WriteAsync(partition, [Payment(1), Transaction(1)], "cb1", default)).Written);
        Assert.Equal(["POST"], requests.Take());

        // One is there: the blind insert fails as a whole, both are read, then written as they compare.
        var next = await writer.WriteAsync(partition, [Payment(2), Transaction(1)], "cb2", default);
        Assert.Equal(["payment-x"], next.Written);
        Assert.Equal(["transaction-y"], next.Kept);
        Assert.Equal(["GET", "GET", "POST", "POST"], requests.Take().Order(StringComparer.Ordinal));
        Assert.Equal("v2", (await storage.RowsAsync(partition)).Single(r => r.RowKey == "payment-x").GetString("State"));
    }

    private sealed class RequestCounter : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _methods = new();

        public override void OnSendingRequest(Azure.Core.HttpMessage message) => _methods.Enqueue(message.Request.Method.Method);

        public List<string> Take()
        {
            var taken = new List<string>();
            while (_methods.TryDequeue(out var method))
            {
                taken.Add(method);
            }

            return taken;
        }
    }

    [Fact]
    public async Task An_older_resource_does_not_replace_a_newer_one_and_a_newer_one_does()
    {
        var (writer, storage) = await WriterAsync();
        await using var _ = storage;
        var partition = Guid.NewGuid();

        Assert.Equal(["payment-x"], (await writer.WriteAsync(partition, [Payment(2)], "cb2", default)).Written);
        var older = await writer.WriteAsync(partition, [Payment(1)], "cb1", default);
        Assert.Equal(["payment-x"], older.Kept);
        Assert.Equal("v2", await StoredStateAsync(storage, partition));

        var same = await writer.WriteAsync(partition, [Payment(2)], "cb2-again", default);
        Assert.Empty(same.Written);

        await writer.WriteAsync(partition, [Payment(3)], "cb3", default);
        var row = (await storage.RowsAsync(partition)).Single();
        Assert.Equal("v3", row.GetString("State"));
        Assert.Equal("cb3", row.GetString("CallbackId"));
        Assert.Equal("""{"version":3}""", PaymentRow.ReadJson(row));
    }

    [Fact]
    public async Task A_resource_without_updated_never_replaces_one_with_it()
    {
        var (writer, storage) = await WriterAsync();
        await using var _ = storage;
        var partition = Guid.NewGuid();

        await writer.WriteAsync(partition, [Payment(1)], "cb1", default);
        Assert.Equal(["payment-x"], (await writer.WriteAsync(partition, [Payment(0)], "cb0", default)).Kept);
        Assert.Equal("v1", await StoredStateAsync(storage, partition));
    }

    [Fact]
    public async Task Concurrent_writes_of_many_versions_leave_the_newest()
    {
        var (writer, storage) = await WriterAsync();
        await using var _ = storage;
        var partition = Guid.NewGuid();
        var versions = Enumerable.Range(1, 24).OrderBy(_ => Random.Shared.Next()).ToArray();

        await Task.WhenAll(versions.Select(v => Task.Run(() => writer.WriteAsync(partition, [Payment(v)], $"cb{v}", default))));

        Assert.Equal("v24", await StoredStateAsync(storage, partition));
    }

    [Fact]
    public async Task Rows_of_one_callback_are_decided_each_on_their_own()
    {
        var (writer, storage) = await WriterAsync();
        await using var _ = storage;
        var partition = Guid.NewGuid();
        var transaction = new PayExResource("transaction-t", "/psp/x/transactions/t", "{}") { Updated = T0 };

        await writer.WriteAsync(partition, [Payment(5)], "newer", default);
        var result = await writer.WriteAsync(partition, [Payment(4), transaction], "older", default);

        Assert.Equal(["transaction-t"], result.Written);
        Assert.Equal(["payment-x"], result.Kept);
        var rows = (await storage.RowsAsync(partition)).ToDictionary(r => r.RowKey);
        Assert.Equal("v5", rows["payment-x"].GetString("State"));
        Assert.Equal("older", rows["transaction-t"].GetString("CallbackId"));
    }
}
