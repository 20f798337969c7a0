using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Payments;

/// <summary>
/// The partition writer on a real Azurite table: resource rows and status in one transaction, newest wins for
/// both, the version grows by one per change, and the reference index is written with the status.
/// </summary>
public class PaymentWriterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    internal static async Task<(PaymentWriter Writer, TestStorage Storage)> WriterAsync(StorageRequestLog? log = null)
    {
        var storage = await TestStorage.CreateAsync();
        return (Writer(storage, log), storage);
    }

    /// <summary>A writer on <paramref name="storage"/>, as one instance of the app has it (a second call: another instance).</summary>
    internal static PaymentWriter Writer(TestStorage storage, HttpPipelinePolicy? log = null, RecentPayments? recent = null, PayExCallbackFunctions.Events.EventSinks? sinks = null)
    {
        var clientOptions = new TableClientOptions();
        if (log is not null)
        {
            clientOptions.AddPolicy(log, HttpPipelinePosition.PerRetry);
        }

        var tables = new TableServiceClient(storage.Azurite.ConnectionString, clientOptions);
        var options = Options.Create(new StorageOptions { PaymentsTable = storage.TableName, PaymentReferencesTable = storage.ReferencesTableName, PaymentChecksTable = storage.ChecksTableName });
        recent ??= new RecentPayments(tables, options, Microsoft.Extensions.Logging.Abstractions.NullLogger<RecentPayments>.Instance);
        return new PaymentWriter(tables, new ReferenceIndex(tables, options, TimeProvider.System), new ScheduledChecks(tables, options), new PayExCallbackFunctions.Events.PendingEvents(tables, options), sinks ?? Events.EventParts.QueueOnly(storage), recent, options, TimeProvider.System);
    }

    // Ticks apart, to catch a store that keeps less than PayEx's seven decimals.
    private static PayExResource Payment(int version, long ticks = 0) =>
        new("payment-x", "/psp/x", $$"""{"version":{{version}}}""") { State = $"v{version}", Updated = version == 0 ? null : T0.AddTicks(version + ticks) };

    /// <summary>The status of a card payment at step <paramref name="step"/> of its life: each step captures 100 more.</summary>
    internal static PaymentSnapshot Step(int step, string? orderReference = "order-1") => new()
    {
        Status = step == 0 ? PaymentStatus.Pending : step == 10 ? PaymentStatus.Captured : PaymentStatus.PartiallyCaptured,
        Amount = 1000,
        AuthorizedAmount = step == 0 ? 0 : 1000,
        CapturedAmount = step * 100,
        RemainingCaptureAmount = 1000 - (step * 100),
        Currency = "SEK",
        OrderReference = orderReference,
        PayeeReference = "payee-1",
        Payment = "/psp/creditcard/payments/5adc265f-f87f-4313-577e-08d3dca1a26c",
        Updated = T0.AddSeconds(step),
    };

    private static PaymentUpdate Update(Guid key, PaymentSnapshot? snapshot, params PayExResource[] resources) =>
        new(key, resources, snapshot, PaymentApi.Payment, "test");

    private static async Task<string?> StoredStateAsync(TestStorage storage, Guid partition) =>
        (await storage.RowsAsync(partition)).Single(r => r.RowKey == "payment-x").GetString("State");

    internal static async Task<StatusRow?> StatusAsync(TestStorage storage, Guid partition) =>
        (await storage.RowsAsync(partition)).SingleOrDefault(r => r.RowKey == StatusRow.RowKey) is { } row ? StatusRow.From(row) : null;

    [Fact]
    public async Task An_older_resource_does_not_replace_a_newer_one_and_a_newer_one_does()
    {
        var (writer, storage) = await WriterAsync();
        await using var _ = storage;
        var partition = Guid.NewGuid();

        Assert.Equal(["payment-x"], (await writer.WriteAsync(Update(partition, null, Payment(2)), default)).Written);
        var older = await writer.WriteAsync(Update(partition, null, Payment(1)), default);
        Assert.Equal(["payment-x"], older.Kept);
        Assert.Equal("v2", await StoredStateAsync(storage, partition));

        var same = await writer.WriteAsync(Update(partition, null, Payment(2)), default);
        Assert.Empty(same.Written);

        await writer.WriteAsync(Update(partition, null, Payment(3)) with { Source = "cb3" }, default);
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

        await writer.WriteAsync(Update(partition, null, Payment(1)), default);
        Assert.Equal(["payment-x"], (await writer.WriteAsync(Update(partition, null, Payment(0)), default)).Kept);
        Assert.Equal("v1", await StoredStateAsync(storage, partition));
    }

    [Fact]
    public async Task Rows_of_one_answer_are_decided_each_on_their_own()
    {
        var (writer, storage) = await WriterAsync();
        await using var _ = storage;
        var partition = Guid.NewGuid();
        var transaction = new PayExResource("transaction-t", "/psp/x/transactions/t", "{}") { Updated = T0 };

        await writer.WriteAsync(Update(partition, Step(5), Payment(5)), default);
        var result = await writer.WriteAsync(Update(partition, Step(4), Payment(4), transaction) with { Source = "older" }, default);

        Assert.Equal(["transaction-t"], result.Written);
        Assert.Equal(["payment-x"], result.Kept);
        Assert.Null(result.Change);
        var rows = (await storage.RowsAsync(partition)).ToDictionary(r => r.RowKey);
        Assert.Equal("v5", rows["payment-x"].GetString("State"));
        Assert.Equal("older", rows["transaction-t"].GetString("CallbackId"));
        Assert.Equal(500, StatusRow.From(rows[StatusRow.RowKey]).Snapshot.CapturedAmount);
    }

    [Fact]
    public async Task The_status_is_written_with_its_resources_and_its_version_grows_by_one_per_change_only()
    {
        var (writer, storage) = await WriterAsync();
        await using var _ = storage;
        var partition = Guid.NewGuid();

        var first = await writer.WriteAsync(Update(partition, Step(1), Payment(1)), default);
        Assert.Equal((null, 1L), (first.Change?.PreviousStatus, first.Change?.Row.Version));
        var stored = await StatusAsync(storage, partition);
        Assert.Equal(Step(1), stored!.Snapshot);
        Assert.Equal(1, stored.Version);
        // The payment's row, the status and the change's event.
        Assert.Equal(3, (await storage.RowsAsync(partition)).Count);

        // The same answer again: no change, no new version; only when it was last read moves.
        var repeated = await writer.WriteAsync(Update(partition, Step(1), Payment(1)), default);
        Assert.Null(repeated.Change);
        var again = await StatusAsync(storage, partition);
        Assert.Equal(1, again!.Version);
        Assert.True(again.CheckedAt > stored.CheckedAt, "a repeated read did not record when the payment was last read");

        // A second partial capture: the status stays partially_captured, the amounts change, so it is a new version.
        var second = await writer.WriteAsync(Update(partition, Step(2), Payment(2)), default);
        Assert.Equal((PaymentStatus.PartiallyCaptured, 2L), (second.Change?.PreviousStatus, second.Change?.Row.Version));

        // A newer updated with the same amounts is not a change.
        var sameMoney = await writer.WriteAsync(Update(partition, Step(2) with { Updated = T0.AddHours(1) }, Payment(3)), default);
        Assert.Null(sameMoney.Change);
        Assert.Equal(2, (await StatusAsync(storage, partition))!.Version);
    }

    [Fact]
    public async Task An_older_or_repeated_answer_never_moves_the_status_or_its_version_back()
    {
        var (writer, storage) = await WriterAsync();
        await using var _ = storage;
        var partition = Guid.NewGuid();

        await writer.WriteAsync(Update(partition, Step(3)), default);
        await writer.WriteAsync(Update(partition, Step(10)), default);
        foreach (var step in new[] { 0, 3, 9, 10, 1 })
        {
            Assert.Null((await writer.WriteAsync(Update(partition, Step(step)), default)).Change);
        }

        var status = await StatusAsync(storage, partition);
        Assert.Equal((PaymentStatus.Captured, 2L, 1000L), (status!.Snapshot.Status, status.Version, status.Snapshot.CapturedAmount));
    }

    [Fact]
    public async Task Answers_with_the_same_updated_are_ordered_by_how_far_the_payment_has_come()
    {
        var (writer, storage) = await WriterAsync();
        await using var _ = storage;
        var partition = Guid.NewGuid();

        await writer.WriteAsync(Update(partition, Step(4) with { Updated = T0 }), default);
        Assert.Null((await writer.WriteAsync(Update(partition, Step(2) with { Updated = T0 }), default)).Change);
        Assert.NotNull((await writer.WriteAsync(Update(partition, Step(6) with { Updated = T0 }), default)).Change);

        Assert.Equal(600, (await StatusAsync(storage, partition))!.Snapshot.CapturedAmount);
    }

    [Fact]
    public async Task Concurrent_writes_of_many_versions_leave_the_newest_status_and_rows()
    {
        var (writer, storage) = await WriterAsync();
        await using var _ = storage;
        var partition = Guid.NewGuid();
        var steps = Enumerable.Range(1, 10).Concat(Enumerable.Range(1, 10)).OrderBy(_ => Random.Shared.Next()).ToArray();

        var results = await Task.WhenAll(steps.Select(s => Task.Run(() => writer.WriteAsync(Update(partition, Step(s), Payment(s)), default))));

        Assert.Equal("v10", await StoredStateAsync(storage, partition));
        var status = await StatusAsync(storage, partition);
        Assert.Equal(Step(10), status!.Snapshot);
        // Every version was reported once, by the write that made it: no two writers made the same version.
        var versions = results.Select(r => r.Change?.Row.Version).OfType<long>().ToArray();
        Assert.Equal(versions.Length, versions.Distinct().Count());
        Assert.Equal(status.Version, versions.Max());
    }

    [Fact]
    public async Task A_new_payment_costs_one_read_its_index_and_one_transaction_and_its_next_answer_one_transaction()
    {
        var log = new StorageRequestLog();
        await using var storage = await TestStorage.CreateAsync();
        var options = Options.Create(new StorageOptions { PaymentReferencesTable = storage.ReferencesTableName });
        using var recent = new RecentPayments(new TableServiceClient(storage.Azurite.ConnectionString), options, Microsoft.Extensions.Logging.Abstractions.NullLogger<RecentPayments>.Instance);
        using var writer = Writer(storage, log, recent);
        var partition = Guid.NewGuid();
        var transaction = new PayExResource("transaction-t", "/psp/x/transactions/t", "{}") { Updated = T0 };

        // As the app's start does.
        await storage.Table.CreateIfNotExistsAsync();
        await storage.References.CreateIfNotExistsAsync();
        await storage.Checks.CreateIfNotExistsAsync();

        var first = await writer.WriteAsync(Update(partition, Step(1), Payment(1), transaction), default);

        // The status row's absence says the rows are new: they are not read one by one (it took a read per row before).
        Assert.Equal(["GET status", "POST $batch", "POST index", "POST index", "POST index", "PUT mark"], log.Take(storage));
        Assert.Equal(["payment-x", "transaction-t"], first.Written);
        Assert.Equal(1, first.Change?.Row.Version);
        Assert.Equal(3, (await StatusAsync(storage, partition))!.Indexed.Count);
        // Listed among the recent payments at the next flush, not by the write.
        Assert.Empty(await recent.ListAsync(10, default));
        await recent.FlushAsync(default);
        Assert.Equal([partition], await recent.ListAsync(10, default));

        // Stored now, by this writer: the status row it wrote stands for the read (its ETag guards the transaction), and
        // it lists the rows it was written with, so they are compared without reading them; the index is not written again.
        var second = await writer.WriteAsync(Update(partition, Step(2), Payment(2), transaction), default);
        Assert.Equal(["POST $batch", "PUT mark"], log.Take(storage));
        Assert.Equal(["payment-x"], second.Written);
        Assert.Equal(["transaction-t"], second.Kept);
        Assert.Equal(2, second.Change?.Row.Version);
    }

    [Fact]
    public async Task A_status_another_instance_wrote_since_costs_a_failed_transaction_and_a_read_and_the_write_is_right()
    {
        var log = new StorageRequestLog();
        await using var storage = await TestStorage.CreateAsync();
        using var one = Writer(storage, log);
        using var other = Writer(storage);
        var partition = Guid.NewGuid();
        var transaction = new PayExResource("transaction-t", "/psp/x/transactions/t", "{}") { Updated = T0 };
        await one.WriteAsync(Update(partition, Step(1), Payment(1), transaction), default);
        // Another instance: it reads what the first wrote, and writes the next version.
        Assert.Equal(2, (await other.WriteAsync(Update(partition, Step(2), Payment(2)), default)).Change?.Row.Version);
        log.Take(storage);

        // The first still knows version 1: its transaction fails on the ETag, and it reads the partition and writes on
        // top, marking the payment for the relay again after that read (see EventMarkTests).
        var third = await one.WriteAsync(Update(partition, Step(3), Payment(3), transaction), default);

        Assert.Equal(["GET payment-x", "GET status", "GET transaction-t", "POST $batch", "POST $batch", "PUT mark", "PUT mark"], log.Take(storage));
        Assert.Equal(3, third.Change?.Row.Version);
        Assert.Equal(["payment-x"], third.Written);
        var status = await StatusAsync(storage, partition);
        Assert.Equal((Step(3), 3L), (status!.Snapshot, status.Version));
        Assert.Equal("v3", await StoredStateAsync(storage, partition));

        // An answer no newer than what the other wrote, to the first (which knows version 3 now): nothing changes.
        Assert.Null((await one.WriteAsync(Update(partition, Step(2), Payment(2)), default)).Change);
        Assert.Equal(3, (await StatusAsync(storage, partition))!.Version);
    }

    [Fact]
    public async Task Every_change_records_its_event_in_the_same_transaction_and_a_repeated_or_older_answer_records_none()
    {
        var log = new StorageRequestLog();
        var (writer, storage) = await WriterAsync(log);
        await using var _ = storage;
        var partition = Guid.NewGuid();
        await storage.Table.CreateIfNotExistsAsync();
        await storage.References.CreateIfNotExistsAsync();

        await storage.Checks.CreateIfNotExistsAsync();
        await writer.WriteAsync(Update(partition, Step(1), Payment(1)), default);
        log.Take(storage);
        await writer.WriteAsync(Update(partition, Step(2), Payment(2)) with { DetectedBy = "check" }, default);
        // The event is one more row of its change's transaction (and the relay's mark before it): no write of its own.
        Assert.Equal(["POST $batch", "PUT mark"], log.Take(storage));
        // The same answer again, and an older one: no change, no event.
        await writer.WriteAsync(Update(partition, Step(2), Payment(2)), default);
        await writer.WriteAsync(Update(partition, Step(1), Payment(1)), default);
        var events = (await storage.RowsAsync(partition)).Where(r => r.RowKey.StartsWith("event-", StringComparison.Ordinal)).OrderBy(r => r.RowKey, StringComparer.Ordinal).ToList();
        Assert.Equal(["event-0000000000000000001", "event-0000000000000000002"], events.Select(e => e.RowKey));
        var first = System.Text.Json.Nodes.JsonNode.Parse(events[0].GetString("Event"))!;
        Assert.Equal(("1.0", $"{partition:D}-v1", "payment.partially_captured", partition.ToString("D"), "0000000001"),
            (first["specversion"]!.GetValue<string>(), first["id"]!.GetValue<string>(), first["type"]!.GetValue<string>(), first["subject"]!.GetValue<string>(), first["sequence"]!.GetValue<string>()));
        Assert.Null(first["data"]!["previousStatus"]);
        Assert.Equal("callback", first["data"]!["detectedBy"]!.GetValue<string>());
        var second = System.Text.Json.Nodes.JsonNode.Parse(events[1].GetString("Event"))!;
        Assert.Equal(("0000000002", "partially_captured", "partially_captured", 2L, "check", 200L),
            (second["sequence"]!.GetValue<string>(), second["data"]!["status"]!.GetValue<string>(), second["data"]!["previousStatus"]!.GetValue<string>(), second["data"]!["version"]!.GetValue<long>(), second["data"]!["detectedBy"]!.GetValue<string>(), second["data"]!["snapshot"]!["capturedAmount"]!.GetValue<long>()));
        Assert.Equal("application/json", second["datacontenttype"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rows_stored_before_the_status_are_compared_not_overwritten_and_the_index_is_written_once()
    {
        var log = new StorageRequestLog();
        var (writer, storage) = await WriterAsync(log);
        await using var _ = storage;
        var partition = Guid.NewGuid();
        // As the writer before the status stored a payment: its resource rows only.
        await storage.Table.CreateIfNotExistsAsync();
        await storage.References.CreateIfNotExistsAsync();
        await storage.Table.AddEntityAsync(PaymentRow.From(partition.ToString("D"), Payment(5), T0, "before"));
        var transaction = new PayExResource("transaction-t", "/psp/x/transactions/t", "{}") { Updated = T0 };

        var result = await writer.WriteAsync(Update(partition, Step(4), Payment(4), transaction), default);

        Assert.Equal(["transaction-t"], result.Written);
        Assert.Equal(["payment-x"], result.Kept);
        Assert.Equal("v5", await StoredStateAsync(storage, partition));
        var status = await StatusAsync(storage, partition);
        Assert.Equal((1L, 400L, 3), (status!.Version, status.Snapshot.CapturedAmount, status.Indexed.Count));
        Assert.Equal(3, log.Take(storage).Count(r => r == "POST index"));
    }

    [Fact]
    public async Task A_row_the_status_row_does_not_list_is_read_before_it_is_replaced()
    {
        var (writer, storage) = await WriterAsync();
        await using var _ = storage;
        var partition = Guid.NewGuid();
        await writer.WriteAsync(Update(partition, Step(1), Payment(1)), default);
        // Stored beside the writer (as a writer from before the list could): the status row does not list it.
        var newer = new PayExResource("transaction-t", "/psp/x/transactions/t", "{}") { State = "Completed", Updated = T0.AddMinutes(1) };
        await storage.Table.AddEntityAsync(PaymentRow.From(partition.ToString("D"), newer, T0, "beside"));

        var older = newer with { State = "Initialized", Updated = T0 };
        var result = await writer.WriteAsync(Update(partition, Step(2), Payment(2), older), default);

        Assert.Equal(["payment-x"], result.Written);
        Assert.Equal(["transaction-t"], result.Kept);
        var rows = (await storage.RowsAsync(partition)).ToDictionary(r => r.RowKey);
        Assert.Equal("Completed", rows["transaction-t"].GetString("State"));
        // Listed now, with what it holds.
        Assert.Contains("transaction-t " + T0.AddMinutes(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture), rows[StatusRow.RowKey].GetString(ListedRows.Column), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_status_row_that_lists_no_rows_has_them_read_and_lists_them_from_then_on()
    {
        var log = new StorageRequestLog();
        var (writer, storage) = await WriterAsync(log);
        await using var _ = storage;
        var partition = Guid.NewGuid();
        await writer.WriteAsync(Update(partition, Step(1), Payment(1)), default);
        // As the writer before the list wrote its status row.
        var status = (await storage.RowsAsync(partition)).Single(r => r.RowKey == StatusRow.RowKey);
        status.Remove(ListedRows.Column);
        await storage.Table.UpdateEntityAsync(status, status.ETag, TableUpdateMode.Replace);
        log.Take(storage);

        // An instance that has not written the payment (one that had, would find its guess stale and read the same).
        using var later = Writer(storage, log);
        await later.WriteAsync(Update(partition, Step(2), Payment(2)), default);
        Assert.Equal(["GET payment-x", "GET status", "POST $batch", "PUT mark"], log.Take(storage));
        await later.WriteAsync(Update(partition, Step(3), Payment(3)), default);
        Assert.Equal(["POST $batch", "PUT mark"], log.Take(storage));
        Assert.Equal("v3", await StoredStateAsync(storage, partition));
    }

    [Fact]
    public async Task The_references_are_indexed_with_the_status_and_once()
    {
        var (writer, storage) = await WriterAsync();
        await using var _ = storage;
        var index = new ReferenceIndex(new TableServiceClient(storage.Azurite.ConnectionString), Options.Create(new StorageOptions { PaymentReferencesTable = storage.ReferencesTableName }), TimeProvider.System);
        var partition = Guid.NewGuid();
        var reference = "order/with?odd#chars\\" + partition.ToString("N")[..8];

        await writer.WriteAsync(Update(partition, Step(1, reference)), default);
        await writer.WriteAsync(Update(partition, Step(2, reference)), default);

        Assert.Equal([partition], await index.FindAsync(PaymentReference.OrderReference(reference), default));
        Assert.Equal([partition], await index.FindAsync(PaymentReference.PaymentId(Guid.Parse("5adc265f-f87f-4313-577e-08d3dca1a26c")), default));
        Assert.Empty(await index.FindAsync(PaymentReference.OrderReference(reference + "x"), default));
        var status = await StatusAsync(storage, partition);
        Assert.Equal(3, status!.Indexed.Count);
    }
}

/// <summary>
/// The storage requests a client sends, in words: "GET status", "POST index", "POST $batch". The recent payments'
/// (<see cref="RecentPayments"/>: after the commit, best effort, trimmed at random) are left aside.
/// </summary>
internal sealed class StorageRequestLog : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentQueue<(string Method, string Path, string Body)> _requests = new();

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = "";
        if (message.Request.Content is { } content)
        {
            using var buffer = new MemoryStream();
            content.WriteTo(buffer, CancellationToken.None);
            body = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }

        _requests.Enqueue((message.Request.Method.ToString(), Uri.UnescapeDataString(message.Request.Uri.ToUri().AbsolutePath), body));
    }

    /// <summary>The requests since the last call, sorted (the writer sends some at once), and starts again.</summary>
    public List<string> Take(TestStorage storage)
    {
        var taken = new List<string>();
        while (_requests.TryDequeue(out var request))
        {
            var (method, path, body) = request;
            if (path.Contains(storage.ChecksTableName, StringComparison.Ordinal) && path.Contains($"PartitionKey='{PayExCallbackFunctions.Events.PendingEvents.Partition}'", StringComparison.Ordinal))
            {
                // The relay's mark, written before a transaction that records an event.
                taken.Add($"{method} mark");
                continue;
            }

            var references = path.Contains(storage.ReferencesTableName, StringComparison.Ordinal) || body.Contains(storage.ReferencesTableName, StringComparison.Ordinal);
            if (references && (path.Contains($"PartitionKey='{RecentPayments.PartitionKey}'", StringComparison.Ordinal) || method == "GET" || path.EndsWith("$batch", StringComparison.Ordinal)))
            {
                continue;
            }

            var target = references ? "index"
                : path.EndsWith("$batch", StringComparison.Ordinal) ? "$batch"
                : path.Contains("RowKey='", StringComparison.Ordinal) ? path[(path.IndexOf("RowKey='", StringComparison.Ordinal) + 8)..].TrimEnd(')', '\'')
                : path;
            taken.Add($"{method} {target}");
        }

        return [.. taken.Order(StringComparer.Ordinal)];
    }
}
