using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Events;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.PayExStandIn.Payments;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Telemetry;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// Events: deliveries per second of recorded events by the app's own delivery (its services as the app registers them)
/// to the queue sink against a raw <c>SendMessageAsync</c> loop, and to a loopback webhook against a raw signed POST loop,
/// at the same concurrency; then, under the host, the lag from a callback's POST to its event at a loopback webhook, at
/// half the load the app sustains.
/// </summary>
public static class EventsBenchmark
{
    public const int Events = 2000;
    public const int Concurrency = 32;
    private const int Calibration = 400;
    private static readonly TimeSpan HalfLoadDuration = TimeSpan.FromSeconds(20);
    private static readonly string Secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static async Task<EventsFigures> RunAsync(Bench bench, AppBuild app)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // When each payment's first event arrived (Stopwatch ticks), for the lag.
        var arrived = new ConcurrentDictionary<Guid, long>();
        receiver.Answer = context =>
        {
            var at = Stopwatch.GetTimestamp();
            // The event's id is <payment>-v<version>.
            if (Guid.TryParse(context.Request.Headers["webhook-id"].ToString().AsSpan(0, Math.Min(36, context.Request.Headers["webhook-id"].ToString().Length)), out var subject))
            {
                arrived.TryAdd(subject, at);
            }

            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        };
        Console.Error.WriteLine($"Events: {Events} recorded events delivered to the queue sink, and raw sends ...");
        var queue = await DeliverAsync(bench, receiver, webhook: false);
        var rawQueue = await RawQueueAsync(bench);
        var keptQueue = await RawWithBookkeepingAsync(bench, receiver, webhook: false);
        Console.Error.WriteLine($"Events: {Events} recorded events delivered to a loopback webhook, and raw signed POSTs ...");
        var webhook = await DeliverAsync(bench, receiver, webhook: true);
        var rawWebhook = await RawWebhookAsync(receiver);
        var keptWebhook = await RawWithBookkeepingAsync(bench, receiver, webhook: true);
        Console.Error.WriteLine("Events: callback-to-event lag under the host, at half the load it sustains ...");
        var (sustained, half, lags) = await LagAsync(bench, app, receiver, arrived);
        return new EventsFigures(queue, rawQueue, keptQueue, webhook, rawWebhook, keptWebhook, sustained, half, lags);
    }

    /// <summary>Events recorded (untimed) for <see cref="Events"/> payments, one each, then delivered by the app's EventDelivery.</summary>
    private static async Task<double> DeliverAsync(Bench bench, WebhookReceiver receiver, bool webhook)
    {
        var name = $"events{(webhook ? "hook" : "queue")}{Guid.NewGuid():N}"[..24];
        var settings = new Dictionary<string, string?>
        {
            ["Events:Queue"] = name,
            ["Events:QueueEnabled"] = webhook ? "false" : "true",
            ["Events:AllowPrivateNetworks"] = "true",
        };
        if (webhook)
        {
            settings["Events:Webhooks:0:Url"] = receiver.Url.ToString();
            settings["Events:Webhooks:0:Secret"] = Secret;
        }

        await using var services = Services(bench, name, settings);
        var (table, payments) = await RecordAsync(bench, name, webhook);

        var delivery = services.GetRequiredService<EventDelivery>();
        var result = await Load.ClosedAsync(Concurrency, TimeSpan.FromMinutes(5), async i =>
        {
            if ((await delivery.DeliverAsync(payments[i], default)).Delivered != 1)
            {
                throw new InvalidOperationException("Not delivered.");
            }
        }, Events);
        await table.DeleteAsync();
        await bench.Queues.GetQueueClient(name).DeleteIfExistsAsync();
        return result.Failed > 0 ? throw new InvalidOperationException($"{result.Failed} deliveries failed.") : result.PerSecond;
    }

    /// <summary>One recorded event for each of <see cref="Events"/> new payments, pending for the queue or the webhook (untimed).</summary>
    private static async Task<(TableClient Table, Guid[] Payments)> RecordAsync(Bench bench, string name, bool webhook)
    {
        var table = bench.Tables.GetTableClient(name);
        await table.CreateIfNotExistsAsync();
        var sink = webhook ? "Webhook0" : QueueSink.SinkKey;
        var payments = Enumerable.Range(0, Events).Select(_ => Guid.NewGuid()).ToArray();
        await Load.ClosedAsync(Concurrency, TimeSpan.FromMinutes(5), i => table.AddEntityAsync(
            EventRow.For(payments[i].ToString("D"), 1, "payment.captured", Document(payments[i]), DateTimeOffset.UtcNow, [sink])), Events);
        await bench.Queues.GetQueueClient(name).CreateIfNotExistsAsync();
        return (table, payments);
    }

    /// <summary>
    /// The least a delivery from the outbox can do, by hand: read the payment's event rows, send, mark the row delivered;
    /// the same three requests the app makes, without its services, options, metrics or logs.
    /// </summary>
    private static async Task<double> RawWithBookkeepingAsync(Bench bench, WebhookReceiver receiver, bool webhook)
    {
        var name = $"eventskept{Guid.NewGuid():N}"[..24];
        var (table, payments) = await RecordAsync(bench, name, webhook);
        var queue = bench.Queues.GetQueueClient(name);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
        var key = Convert.FromBase64String(Secret["whsec_".Length..]);
        var sink = webhook ? "Webhook0" : QueueSink.SinkKey;
        var result = await Load.ClosedAsync(Concurrency, TimeSpan.FromMinutes(5), async i =>
        {
            var partition = payments[i].ToString("D");
            await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {EventRow.Prefix} and RowKey lt {EventRow.After}")))
            {
                var document = row.GetString(EventRow.DocumentColumn)!;
                if (webhook)
                {
                    var body = Encoding.UTF8.GetBytes(document);
                    var id = $"{partition}-v1";
                    var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                    using var request = new HttpRequestMessage(HttpMethod.Post, receiver.Url) { Content = new ByteArrayContent(body) };
                    request.Headers.Add("webhook-id", id);
                    request.Headers.Add("webhook-timestamp", timestamp);
                    request.Headers.Add("webhook-signature", "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, (byte[])[.. Encoding.UTF8.GetBytes($"{id}.{timestamp}."), .. body])));
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                    response.EnsureSuccessStatusCode();
                }
                else
                {
                    await queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(document)), null, TimeSpan.FromSeconds(-1));
                }

                await table.UpdateEntityAsync(new TableEntity(partition, row.RowKey) { [EventRow.Pending(sink)] = false, [EventRow.DeliveredAt(sink)] = DateTimeOffset.UtcNow }, Azure.ETag.All, TableUpdateMode.Merge);
            }
        }, Events);
        await table.DeleteAsync();
        await queue.DeleteIfExistsAsync();
        return result.PerSecond;
    }

    private static async Task<double> RawQueueAsync(Bench bench)
    {
        var queue = bench.Queues.GetQueueClient($"eventsraw{Guid.NewGuid():N}"[..24]);
        await queue.CreateIfNotExistsAsync();
        var documents = Enumerable.Range(0, Events).Select(_ => Convert.ToBase64String(Encoding.UTF8.GetBytes(Document(Guid.NewGuid())))).ToArray();
        var result = await Load.ClosedAsync(Concurrency, TimeSpan.FromMinutes(5), i => queue.SendMessageAsync(documents[i], null, TimeSpan.FromSeconds(-1)), Events);
        await queue.DeleteAsync();
        return result.PerSecond;
    }

    private static async Task<double> RawWebhookAsync(WebhookReceiver receiver)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
        var key = Convert.FromBase64String(Secret["whsec_".Length..]);
        var result = await Load.ClosedAsync(Concurrency, TimeSpan.FromMinutes(5), async i =>
        {
            var id = $"{Guid.NewGuid():D}-v1";
            var body = Encoding.UTF8.GetBytes(Document(Guid.NewGuid()));
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var signature = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, (byte[])[.. Encoding.UTF8.GetBytes($"{id}.{timestamp}."), .. body]));
            using var request = new HttpRequestMessage(HttpMethod.Post, receiver.Url) { Content = new ByteArrayContent(body) };
            request.Headers.Add("webhook-id", id);
            request.Headers.Add("webhook-timestamp", timestamp);
            request.Headers.Add("webhook-signature", signature);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
        }, Events);
        return result.PerSecond;
    }

    /// <summary>
    /// New payments' callbacks posted under the host with a webhook to the receiver: first as fast as they are taken
    /// (the load sustained: events arrived per second), then at half that rate; each lag from its callback's due time to
    /// its event's arrival.
    /// </summary>
    private static async Task<(double Sustained, double Half, double[] LagsMs)> LagAsync(Bench bench, AppBuild app, WebhookReceiver receiver, ConcurrentDictionary<Guid, long> arrived)
    {
        var name = $"{app.Name}-events";
        var settings = bench.Settings(name, processing: true);
        settings["Events__Webhooks__0__Url"] = receiver.Url.ToString();
        settings["Events__Webhooks__0__Secret"] = Secret;
        settings["Events__AllowPrivateNetworks"] = "true";
        await using var host = HostRun.Start(app, settings, name);
        await host.WaitReadyAsync();
        using var http = Bench.CallbackClient(host.BaseUrl, bench.Options.Concurrency);

        var calibration = Payments(bench, Calibration);
        var started = Stopwatch.GetTimestamp();
        await Load.ClosedAsync(bench.Options.Concurrency, TimeSpan.FromMinutes(5), i => Bench.PostCallbackAsync(http, calibration[i].Callback), Calibration);
        await Eventually.TrueAsync(() => Task.FromResult(calibration.All(p => arrived.ContainsKey(p.Payment))), "the calibration's events", TimeSpan.FromMinutes(5));
        var sustained = Calibration / Stopwatch.GetElapsedTime(started).TotalSeconds;

        var half = sustained / 2;
        var measured = Payments(bench, (int)(half * HalfLoadDuration.TotalSeconds) + 10);
        var due = new ConcurrentDictionary<Guid, long>();
        var load = Stopwatch.GetTimestamp();
        await Load.OpenAsync(half, HalfLoadDuration, i =>
        {
            due[measured[i].Payment] = load + (long)(i / half * Stopwatch.Frequency);
            return Bench.PostCallbackAsync(http, measured[i].Callback);
        });
        var posted = measured.Where(p => due.ContainsKey(p.Payment)).ToArray();
        await Eventually.TrueAsync(() => Task.FromResult(posted.All(p => arrived.ContainsKey(p.Payment))), "the half load's events", TimeSpan.FromMinutes(5));
        var lags = posted.Select(p => Stopwatch.GetElapsedTime(due[p.Payment], arrived[p.Payment]).TotalMilliseconds).ToArray();
        return (sustained, half, lags);
    }

    private static (Guid Payment, byte[] Callback)[] Payments(Bench bench, int count) =>
        Enumerable.Range(0, count).Select(_ =>
        {
            var life = bench.Payments.Create(new NewPayment { Generation = "v1", Instrument = "creditcard", Amount = 1500 }, Generation.V1);
            var step = bench.Payments.Step(life.PaymentId!.Value, "authorize", null);
            return (life.PaymentId!.Value, Encoding.UTF8.GetBytes(step.Callback!.ToJsonString()));
        }).ToArray();

    // An event as the app records it: the app's own document of a captured card payment.
    private static string Document(Guid payment)
    {
        var snapshot = new PaymentSnapshot
        {
            Status = "captured", Amount = 1500, AuthorizedAmount = 1500, CapturedAmount = 1500, Currency = "SEK", Instrument = "CreditCard",
            OrderReference = "bench", PayeeReference = "bench", Payment = $"/psp/creditcard/payments/{payment:D}", Number = 1, Updated = DateTimeOffset.UtcNow,
        };
        return PaymentEvent.Document(payment, new StatusChange("authorized", new StatusRow(snapshot, 1, DateTimeOffset.UtcNow)), "callback", DateTimeOffset.UtcNow);
    }

    private static ServiceProvider Services(Bench bench, string table, Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddMetrics();
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = "Development" });
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(bench.Tables);
        services.AddSingleton(new QueueServiceClient(bench.Azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None }));
        services.AddSingleton(Options.Create(new StorageOptions { PaymentsTable = table, PaymentChecksTable = table + "Checks" }));
        services.AddSingleton<CallbackMetrics>();
        services.AddSingleton<PendingEvents>();
        services.AddEvents(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider();
    }
}

/// <summary>The events part's figures.</summary>
public sealed record EventsFigures(double Queue, double RawQueue, double KeptQueue, double Webhook, double RawWebhook, double KeptWebhook, double Sustained, double Half, double[] LagsMs)
{
    public string Table()
    {
        var sorted = LagsMs.Order().ToArray();
        double P(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return string.Join('\n',
            "| Events | Baseline (same run) | The app | App ÷ baseline |",
            "| --- | --- | --- | --- |",
            string.Create(CultureInfo.InvariantCulture, $"| Events delivered per second to the queue sink ({EventsBenchmark.Events} recorded, one per payment, concurrency {EventsBenchmark.Concurrency}; the app's EventDelivery: read the payment's events, send, mark delivered) | raw SendMessageAsync of the same documents: {RawQueue:F0}/s; by hand with the outbox's read and mark: {KeptQueue:F0}/s | {Queue:F0}/s | **{Queue / RawQueue:F2}** of the raw send; **{Queue / KeptQueue:F2}** of the hand-made delivery |"),
            string.Create(CultureInfo.InvariantCulture, $"| Events delivered per second to a loopback webhook (the same; signed, 204) | raw signed POST loop: {RawWebhook:F0}/s; by hand with the outbox's read and mark: {KeptWebhook:F0}/s | {Webhook:F0}/s | **{Webhook / RawWebhook:F2}** of the raw POST; **{Webhook / KeptWebhook:F2}** of the hand-made delivery |"),
            string.Create(CultureInfo.InvariantCulture, $"| Callback to event at a loopback webhook, under the host, at half the load it sustains ({Half:F0} of {Sustained:F0} new payments/s, {LagsMs.Length} callbacks over {20} s; queue sink too) | | p50 **{P(0.5):F0} ms**, p99 **{P(0.99):F0} ms**, max {sorted.LastOrDefault():F0} ms | |"));
    }
}
