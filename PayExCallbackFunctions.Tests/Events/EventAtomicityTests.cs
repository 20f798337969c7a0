using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using PayExCallbackFunctions.Events;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Tests.Infrastructure;
using PayExCallbackFunctions.Tests.Payments;

namespace PayExCallbackFunctions.Tests.Events;

/// <summary>
/// The outbox's promise with storage failing as the change is written: neither the status nor its event, and once
/// storage is back the change is written with exactly one event, which the relay delivers once.
/// </summary>
public class EventAtomicityTests
{
    [Fact]
    public async Task Storage_failing_during_the_write_leaves_neither_status_nor_event_and_the_retried_write_makes_one_event()
    {
        await using var storage = await TestStorage.CreateAsync();
        using var parts = EventParts.Create(storage);
        var failing = new FailingTransactions();
        using var writer = PaymentWriterTests.Writer(storage, failing, sinks: parts.Sinks);
        var payment = Guid.NewGuid();
        await writer.WriteAsync(new PaymentUpdate(payment, [], PaymentWriterTests.Step(1), PaymentApi.Payment, "test"), default);

        failing.Failing = true;
        var failed = await Assert.ThrowsAsync<RequestFailedException>(() => writer.WriteAsync(new PaymentUpdate(payment, [], PaymentWriterTests.Step(2), PaymentApi.Payment, "test"), default));
        Assert.Equal(503, failed.Status);
        Assert.Equal(1, (await PaymentWriterTests.StatusAsync(storage, payment))!.Version);
        Assert.Equal([EventRow.RowKey(1)], await EventKeysAsync(storage, payment));

        // The callback's retry, storage back.
        failing.Failing = false;
        await writer.WriteAsync(new PaymentUpdate(payment, [], PaymentWriterTests.Step(2), PaymentApi.Payment, "test"), default);
        Assert.Equal(2, (await PaymentWriterTests.StatusAsync(storage, payment))!.Version);
        Assert.Equal([EventRow.RowKey(1), EventRow.RowKey(2)], await EventKeysAsync(storage, payment));

        parts.Time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(2, await parts.Relay.RunAsync(default));
        Assert.Equal(2, (await storage.Events.PeekMessagesAsync(32)).Value.Length);
    }

    private static async Task<List<string>> EventKeysAsync(TestStorage storage, Guid payment) =>
        (await storage.RowsAsync(payment)).Select(r => r.RowKey).Where(k => k.StartsWith(EventRow.Prefix, StringComparison.Ordinal)).ToList();

    /// <summary>Storage answering 503 to every entity group transaction while <see cref="Failing"/>.</summary>
    private sealed class FailingTransactions : HttpPipelinePolicy
    {
        public volatile bool Failing;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Fail(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Fail(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Fail(HttpMessage message)
        {
            if (Failing && message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal))
            {
                throw new RequestFailedException(503, "The storage service is failing (test).");
            }
        }
    }
}
