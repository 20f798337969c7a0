using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>A queue and a table of a test's own, on the shared Azurite, removed afterwards.</summary>
public sealed class TestStorage : IAsyncDisposable
{
    private TestStorage(Azurite azurite)
    {
        Azurite = azurite;
        var suffix = Guid.NewGuid().ToString("N")[..12];
        QueueName = $"cb-{suffix}";
        TableName = $"Payments{suffix}";
        DeadLettersTableName = $"DeadLetters{suffix}";
        RejectedTableName = $"Rejected{suffix}";
        ReferencesTableName = $"References{suffix}";
        ChecksTableName = $"Checks{suffix}";
        EventsQueueName = $"ev-{suffix}";
        Queue = new QueueClient(azurite.ConnectionString, QueueName);
        Poison = new QueueClient(azurite.ConnectionString, $"{QueueName}-poison");
        Table = new TableClient(azurite.ConnectionString, TableName);
        DeadLetters = new TableClient(azurite.ConnectionString, DeadLettersTableName);
        Rejected = new TableClient(azurite.ConnectionString, RejectedTableName);
        References = new TableClient(azurite.ConnectionString, ReferencesTableName);
        Checks = new TableClient(azurite.ConnectionString, ChecksTableName);
        Events = new QueueClient(azurite.ConnectionString, EventsQueueName);
    }

    public Azurite Azurite { get; }

    public string QueueName { get; }

    public string TableName { get; }

    public QueueClient Queue { get; }

    public QueueClient Poison { get; }

    public TableClient Table { get; }

    public string DeadLettersTableName { get; }

    public TableClient DeadLetters { get; }

    public string RejectedTableName { get; }

    /// <summary>Callbacks refused after authentication (Storage__RejectedCallbacksTable).</summary>
    public TableClient Rejected { get; }

    public string ReferencesTableName { get; }

    public string ChecksTableName { get; }

    /// <summary>The scheduled checks of tracked payments (Storage__PaymentChecksTable).</summary>
    public TableClient Checks { get; }

    public string EventsQueueName { get; }

    /// <summary>The payments' events for the order system (Events__Queue).</summary>
    public QueueClient Events { get; }

    /// <summary>The reference index (Storage__PaymentReferencesTable).</summary>
    public TableClient References { get; }

    public static async Task<TestStorage> CreateAsync(Azurite? azurite = null) => new(azurite ?? await Azurite.Shared);

    /// <summary>App settings that point the app at this storage and at <paramref name="payEx"/>.</summary>
    public Dictionary<string, string?> Settings(StandIn payEx) => Settings(payEx.BaseUrl, payEx.Token);

    /// <summary>App settings that point the app at this storage and at a PayEx at <paramref name="payExUrl"/>.</summary>
    public Dictionary<string, string?> Settings(Uri payExUrl, string payExToken) => new()
    {
        ["AzureWebJobsStorage"] = Azurite.ConnectionString,
        ["PayExCallbackQueue"] = QueueName,
        ["Storage__PaymentsTable"] = TableName,
        ["Storage__DeadLettersTable"] = DeadLettersTableName,
        ["Storage__RejectedCallbacksTable"] = RejectedTableName,
        ["Storage__PaymentReferencesTable"] = ReferencesTableName,
        ["Storage__PaymentChecksTable"] = ChecksTableName,
        ["Events__Queue"] = EventsQueueName,
        ["PayExTrackingSweep"] = "*/2 * * * * *",
        // The sweep's timer off, but where a test follows tracking (TrackingApp): its lock makes the host shut down
        // about 25 s into a storage outage, which the outage tests of everything else must not meet (see the README).
        ["AzureWebJobs.SweepPayExChecks.Disabled"] = "true",
        // A short retry schedule without jitter, so retries happen within a test, at known times.
        ["Retry__Schedule"] = "00:00:01, 00:00:01, 00:00:02",
        ["Retry__MaxAttempts"] = "6",
        ["Retry__Jitter"] = "0",
        ["PayEx__BaseUrl"] = payExUrl.ToString(),
        ["PayEx__Token"] = payExToken,
        // host.json's queue settings, overridden as the host allows: poll often, and retry a failed invocation at once.
        ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.200",
        ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00",
    };

    public async Task<List<TableEntity>> RowsAsync(Guid partition)
    {
        try
        {
            var rows = new List<TableEntity>();
            await foreach (var row in Table.QueryAsync<TableEntity>(e => e.PartitionKey == partition.ToString("D")))
            {
                rows.Add(row);
            }

            return rows;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
    }

    public Task<List<TableEntity>> AllRowsAsync() => AllAsync(Table);

    public Task<List<TableEntity>> DeadLettersAsync() => AllAsync(DeadLetters);

    /// <summary>The rejected callbacks, without the days' tally rows.</summary>
    public async Task<List<TableEntity>> RejectedAsync() =>
        [.. (await AllAsync(Rejected)).Where(r => r.RowKey != PayExCallbackFunctions.Callbacks.RejectedCallbackTable.TallyKey)];

    private static async Task<List<TableEntity>> AllAsync(TableClient table)
    {
        try
        {
            var rows = new List<TableEntity>();
            await foreach (var row in table.QueryAsync<TableEntity>())
            {
                rows.Add(row);
            }

            return rows;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
    }

    /// <summary>Waits until the partition holds the rows with these keys, and returns them by key.</summary>
    public async Task<Dictionary<string, TableEntity>> WaitForRowsAsync(Guid partition, params string[] rowKeys) =>
        await Eventually.GetAsync(async () =>
        {
            var rows = (await RowsAsync(partition)).ToDictionary(r => r.RowKey);
            return rowKeys.All(rows.ContainsKey) ? rows : null;
        }, $"rows {string.Join(", ", rowKeys)} in partition {partition}");

    /// <summary>The messages on a queue, decoded from base64 as host.json says they are stored.</summary>
    public static async Task<List<string>> PeekAsync(QueueClient queue)
    {
        try
        {
            PeekedMessage[] messages = await queue.PeekMessagesAsync(32);
            return messages.Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString()))).ToList();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
    }

    public async Task<int> ApproximateCountAsync(QueueClient queue)
    {
        try
        {
            return (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Queue.DeleteIfExistsAsync();
            await Poison.DeleteIfExistsAsync();
            await Table.DeleteAsync();
            await DeadLetters.DeleteAsync();
            await Rejected.DeleteAsync();
            await References.DeleteAsync();
            await Checks.DeleteAsync();
            await Events.DeleteIfExistsAsync();
        }
        catch (Exception)
        {
            // Azurite may be down in an outage test; its folder goes with it.
        }
    }
}
