using PayExCallbackFunctions.PayExStandIn;
using System.Net;
using System.Net.Http.Json;
using Azure.Data.Tables;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Pipeline;

/// <summary>Every callback shape, end to end: POST → 200 → PayEx GETs → rows, under the Functions host.</summary>
public class CallbackPipelineTests(RunningApp fixture) : IClassFixture<RunningApp>
{
    private readonly Examples _examples = new();

    private void Serve(params string[] exampleFiles)
    {
        foreach (var file in exampleFiles)
        {
            fixture.PayEx.State.PutResource(_examples.Resource(file));
        }
    }

    private async Task PostAsync(string callback)
    {
        using var response = await fixture.PostCallbackAsync(callback);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Guid P => _examples.Id(Examples.DocsPaymentId);

    private Guid T => _examples.Id(Examples.DocsTransactionId);

    [Fact]
    public async Task A_nested_v1_callback_stores_the_payment_and_the_transaction_as_PayEx_has_them()
    {
        Serve("payment-creditcard-callback-examples.json", "transaction-authorization-creditcard.docs.json");
        await PostAsync(_examples.Callback("callback-v1-nested-instrument.json"));

        var rows = await fixture.Storage.WaitForRowsAsync(P, $"payment-{P}", $"transaction-{T}", "status");
        // The resources, the status and the change's event.
        Assert.Equal(["event-0000000000000000001", $"payment-{P}", "status", $"transaction-{T}"], rows.Keys.Order(StringComparer.Ordinal));
        // The authorization is not completed: the payment is pending, whatever the callback hinted.
        Assert.Equal("pending", rows["status"].GetString("Status"));
        var payment = rows[$"payment-{P}"];
        Assert.Equal($"/psp/creditcard/payments/{P}", payment.GetString("ResourceId"));
        Assert.Equal("Ready", payment.GetString("State"));
        Assert.Equal(6185, payment.GetInt64("Amount"));
        Assert.Equal("SEK", payment.GetString("Currency"));
        Assert.Equal(222222222, payment.GetInt64("Number"));
        Assert.NotNull(payment.GetDateTimeOffset("FetchedAt"));
        var transaction = rows[$"transaction-{T}"];
        Assert.Equal("Authorization", transaction.GetString("Type"));
        Assert.Equal("Initialized", transaction.GetString("State"));
        Assert.Equal(1000, transaction.GetInt64("Amount"));
        Assert.Equal(1234567890, transaction.GetInt64("Number"));
        Assert.Equal("SEK", transaction.GetString("Currency"));
        Assert.Equal(DateTimeOffset.Parse("2016-09-14T01:01:01.03Z"), transaction.GetDateTimeOffset("Updated"));
        Assert.Contains("\"cardBrand\": \"Visa\"", transaction.GetString("Json"));
    }

    [Fact]
    public async Task A_flat_2018_callback_stores_the_payment_and_the_transaction()
    {
        Serve("payment-creditcard-callback-examples.json", "transaction-authorization-creditcard.docs.json");
        var callback = File.ReadAllText(RepoPaths.TestData("callback-v1-flat.json"))
            .Replace("<paymentId>", P.ToString()).Replace("<transactionId>", T.ToString());
        await PostAsync(callback);

        var rows = await fixture.Storage.WaitForRowsAsync(P, $"payment-{P}", $"transaction-{T}");
        Assert.Equal("Ready", rows[$"payment-{P}"].GetString("State"));
        Assert.Equal("Authorization", rows[$"transaction-{T}"].GetString("Type"));
        Assert.Equal($"/psp/creditcard/payments/{P}/transactions/{T}", rows[$"transaction-{T}"].GetString("ResourceId"));
    }

    [Fact]
    public async Task A_v2_v3_0_payment_order_callback_stores_order_payment_and_transaction_under_the_order()
    {
        Serve("paymentorder-callback-examples.json", "payment-creditcard-callback-examples.json", "transaction-authorization-creditcard.docs.json");
        await PostAsync(_examples.Callback("callback-v2-v3.0-paymentorder.json"));

        var rows = await fixture.Storage.WaitForRowsAsync(P, "paymentorder", $"payment-{P}", $"transaction-{T}", "status");
        Assert.Equal(5, rows.Count);
        Assert.Contains("event-0000000000000000001", rows.Keys);
        // v2/v3.0: the status is the named payment's, from its transactions (the authorization is not completed).
        Assert.Equal("pending", rows["status"].GetString("Status"));
        Assert.Equal($"/psp/paymentorders/{P}", rows["status"].GetString("PaymentOrder"));
        Assert.Equal("Paid", rows["paymentorder"].GetString("State"));
        Assert.Equal(1500, rows["paymentorder"].GetInt64("Amount"));
        Assert.Equal($"/psp/paymentorders/{P}", rows["paymentorder"].GetString("ResourceId"));
        Assert.Equal("Ready", rows[$"payment-{P}"].GetString("State"));
        Assert.Equal("Authorization", rows[$"transaction-{T}"].GetString("Type"));
    }

    [Fact]
    public async Task A_v2_callback_with_order_reference_and_a_swish_sale_is_stored()
    {
        Serve("paymentorder-v2-orderreference-example.json", "payment-swish.docs.json", "transaction-sale-swish.json");
        await PostAsync(_examples.Callback("callback-v2-paymentorder-with-orderreference.json"));

        var order = _examples.Id("c3ac1392-35b0-43a6-8f27-08dbce43b47c");
        var rows = await fixture.Storage.WaitForRowsAsync(order, "paymentorder", $"payment-{P}", $"transaction-{T}");
        Assert.Equal("Paid", rows["paymentorder"].GetString("State"));
        Assert.Equal("Ready", rows[$"payment-{P}"].GetString("State"));
        var sale = rows[$"transaction-{T}"];
        Assert.Equal("Sale", sale.GetString("Type"));
        Assert.Equal("Completed", sale.GetString("State"));
        Assert.Equal(333333333, sale.GetInt64("Number"));
        Assert.Equal($"/psp/swish/payments/{P}/sales/{T}", sale.GetString("ResourceId"));
    }

    [Fact]
    public async Task A_v3_1_callback_stores_the_payment_order_and_the_attempt_it_names()
    {
        Serve("paymentorder-callback-examples.json");
        await PostAsync(_examples.Callback("callback-v3.1-paymentorder.json"));

        var rows = await fixture.Storage.WaitForRowsAsync(P, "paymentorder", "attempt-12345678");
        Assert.Equal("Paid", rows["paymentorder"].GetString("State"));
        Assert.Equal("Paid", rows["attempt-12345678"].GetString("State"));
        Assert.Equal("Authorization", rows["attempt-12345678"].GetString("Type"));
        Assert.Equal(12345678, rows["attempt-12345678"].GetInt64("Number"));

        // Read as 3.1, with the sub-resources that identify the attempt.
        var get = Assert.Single(fixture.PayEx.State.Requests, r => r.PathAndQuery.StartsWith($"/psp/paymentorders/{P}", StringComparison.Ordinal));
        Assert.Contains("$expand=", get.PathAndQuery);
        Assert.Contains("financialtransactions", get.PathAndQuery);
        Assert.Contains("version=3.1", get.Accept);
    }

    [Fact]
    public async Task The_log_lines_name_only_what_a_callback_has_and_a_v3_1_callbacks_number_as_its_attempt()
    {
        Serve("paymentorder-callback-examples.json", "payment-creditcard-callback-examples.json", "transaction-authorization-creditcard.docs.json");
        var v31 = await AcknowledgeAsync(_examples.Callback("callback-v3.1-paymentorder.json"));
        var v1 = await AcknowledgeAsync(_examples.Callback("callback-v1-nested-instrument.json"));
        await fixture.Storage.WaitForRowsAsync(P, "paymentorder", "attempt-12345678", $"payment-{P}", $"transaction-{T}");

        var lines = await Eventually.GetAsync(() => Task.FromResult(
            LinesOf(v31, v1) is { Count: 4 } found ? found : null), "the acknowledged and stored lines of both callbacks");

        Assert.Contains(lines, l => l.Contains($"Acknowledged callback {v31} (PaymentOrderV31) for payment order {P}, attempt 12345678, from ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"Stored 2 rows of callback {v31} (PaymentOrderV31) for payment order {P}, attempt 12345678; kept ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"Acknowledged callback {v1} (V1Nested) for payment 222222222, transaction 333333333, from ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"Stored 2 rows of callback {v1} (V1Nested) for payment 222222222, transaction 333333333; kept ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("(null)", StringComparison.Ordinal) || l.Contains("transaction 12345678", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_callback_that_finds_the_state_already_stored_says_that_it_was_current_not_that_it_stored_zero_rows()
    {
        Serve("payment-creditcard-callback-examples.json", "transaction-authorization-creditcard.docs.json");
        var callback = _examples.Callback("callback-v1-nested-instrument.json");
        var first = await AcknowledgeAsync(callback);
        await Eventually.TrueAsync(() => Task.FromResult(LinesOf(first).Any(l => l.Contains("Stored ", StringComparison.Ordinal))), "the first callback to be processed");

        var again = await AcknowledgeAsync(callback);
        var line = await Eventually.GetAsync(() => Task.FromResult(LinesOf(again).FirstOrDefault(l => l.Contains("Stored ", StringComparison.Ordinal))), "the repeated callback to be processed");

        Assert.Contains($"Stored nothing for callback {again} (V1Nested) for payment 222222222, transaction 333333333: the stored state was already current (2 rows as new or newer)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_callback_that_stores_rows_but_finds_a_newer_status_says_it_stored_the_rows_and_not_that_it_stored_nothing()
    {
        // The v3.1 order (updated 2024) and the v1 payment (updated 2021) share a partition: the payment's status is older.
        Serve("paymentorder-callback-examples.json", "payment-creditcard-callback-examples.json", "transaction-authorization-creditcard.docs.json");
        var v31 = await AcknowledgeAsync(_examples.Callback("callback-v3.1-paymentorder.json"));
        await ProcessedAsync(v31);
        var v1 = await AcknowledgeAsync(_examples.Callback("callback-v1-nested-instrument.json"));
        await ProcessedAsync(v1);
        // The worker writes its lines in order: once the repeat's line is out, every line of the first one is.
        var repeat = await AcknowledgeAsync(_examples.Callback("callback-v1-nested-instrument.json"));
        var nothing = await ProcessedAsync(repeat);

        var stored = Assert.Single(LinesOf(v1), l => l.Contains("Stored ", StringComparison.Ordinal));
        Assert.Contains($"Stored 2 rows of callback {v1} (V1Nested)", stored, StringComparison.Ordinal);
        Assert.Contains($"Stored nothing for callback {repeat} (V1Nested)", nothing, StringComparison.Ordinal);
        Assert.Equal("authorized", (await fixture.Storage.WaitForRowsAsync(P, "status"))["status"].GetString("Status"));
    }

    private Task<string> ProcessedAsync(string id) =>
        Eventually.GetAsync(() => Task.FromResult(LinesOf(id).FirstOrDefault(l => l.Contains("Stored ", StringComparison.Ordinal))), $"callback {id} to be processed");

    private List<string> LinesOf(params string[] ids) =>
        fixture.App.Output.Split('\n')
            .Where(l => ids.Any(id => l.Contains($"callback {id} (", StringComparison.Ordinal))
                && (l.Contains("Acknowledged callback", StringComparison.Ordinal) || l.Contains("Stored ", StringComparison.Ordinal)))
            .ToList();

    private async Task<string> AcknowledgeAsync(string callback)
    {
        using var response = await fixture.PostCallbackAsync(callback);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_v3_1_callback_for_a_capture_stores_the_capture_as_a_transaction()
    {
        Serve("paymentorder-v3.1-captured-example.json");
        await PostAsync(_examples.Callback("callback-v3.1-paymentorder-orderreference.sdk-php.json"));

        var order = _examples.Id("a9bd5ea2-d2b0-48d1-59c8-08dc230b04ba");
        var capture = _examples.Id("5f8e1d2c-3b4a-4c6d-8e9f-0a1b2c3d4e5f");
        var rows = await fixture.Storage.WaitForRowsAsync(order, "paymentorder", $"transaction-{capture}");
        Assert.Equal("Capture", rows[$"transaction-{capture}"].GetString("Type"));
        Assert.Equal(6185, rows[$"transaction-{capture}"].GetInt64("Amount"));
        Assert.Equal("SEK", rows[$"transaction-{capture}"].GetString("Currency"));
    }

    [Fact]
    public async Task The_same_callback_five_times_leaves_one_set_of_rows()
    {
        Serve("payment-creditcard-callback-examples.json", "transaction-authorization-creditcard.docs.json");
        var callback = _examples.Callback("callback-v1-nested-instrument.json");
        for (var i = 0; i < 5; i++)
        {
            await PostAsync(callback);
        }

        // All five processed: PayEx was asked for the payment five times, and the queue is empty.
        await Eventually.TrueAsync(async () => fixture.PayEx.RequestsFor($"/psp/creditcard/payments/{P}/authorizations") == 5
                                                && await fixture.Storage.ApproximateCountAsync(fixture.Storage.Queue) == 0, "five callbacks processed");
        var rows = await fixture.Storage.WaitForRowsAsync(P, $"payment-{P}", $"transaction-{T}", "status");
        // The payment, its transaction and its status, one version of it: nothing else.
        // Five deliveries, one change: one event.
        Assert.Equal(4, rows.Count);
        Assert.Contains("event-0000000000000000001", rows.Keys);
        Assert.Equal(1, rows["status"].GetInt64("Version"));
    }

    [Fact]
    public async Task A_changed_state_at_PayEx_is_stored_by_the_next_callback()
    {
        Serve("payment-creditcard-callback-examples.json", "transaction-authorization-creditcard.docs.json");
        var callback = _examples.Callback("callback-v1-nested-instrument.json");
        await PostAsync(callback);
        await fixture.Storage.WaitForRowsAsync(P, $"payment-{P}", $"transaction-{T}");

        // PayEx stamps every change with a later "updated".
        fixture.PayEx.State.PutResource(_examples.Resource("transaction-authorization-creditcard.docs.json")
            .Replace("\"state\": \"Initialized\"", "\"state\": \"Completed\"")
            .Replace("\"updated\": \"2016-09-14T01:01:01.03Z\"", "\"updated\": \"2016-09-14T01:02:00Z\""));
        await PostAsync(callback);

        await Eventually.TrueAsync(async () =>
            (await fixture.Storage.RowsAsync(P)).Single(r => r.RowKey == $"transaction-{T}").GetString("State") == "Completed",
            "the transaction to read Completed");
    }

    [Fact]
    public async Task A_resource_larger_than_a_table_property_is_stored_whole_in_chunks()
    {
        var big = Examples.Json(_examples.Resource("payment-creditcard-callback-examples.json"));
        big["payment"]!["description"] = new string('x', 100_000);
        fixture.PayEx.State.PutResource(big.ToJsonString());
        Serve("transaction-authorization-creditcard.docs.json");
        await PostAsync(_examples.Callback("callback-v1-nested-instrument.json"));

        var rows = await fixture.Storage.WaitForRowsAsync(P, $"payment-{P}");
        var json = PayExCallbackFunctions.Payments.PaymentRow.ReadJson(rows[$"payment-{P}"]);
        Assert.Equal(big.ToJsonString(), json);
    }

    [Fact]
    public async Task A_PayEx_answer_that_repeats_a_property_is_dead_lettered_not_stored()
    {
        // Read last-wins, the first id (another payment) would pass unseen and the second state be stored.
        Serve("transaction-authorization-creditcard.docs.json");
        var payment = _examples.Resource("payment-creditcard-callback-examples.json");
        var repeated = payment.Replace("\"payment\": {", $"\"payment\": {{ \"id\": \"/psp/creditcard/payments/{Guid.NewGuid()}\", \"state\": \"Failed\",", StringComparison.Ordinal);
        Assert.NotEqual(payment, repeated);
        fixture.PayEx.State.Put($"/psp/creditcard/payments/{P}", repeated);
        await PostAsync(_examples.Callback("callback-v1-nested-instrument.json"));

        var deadLetter = await Eventually.GetAsync(
            async () => (await fixture.Storage.DeadLettersAsync()).SingleOrDefault(d => d.GetString("Payment") == $"/psp/creditcard/payments/{P}"),
            "the dead letter");
        Assert.Equal("Permanent", deadLetter.GetString("Origin"));
        Assert.Contains("repeats", deadLetter.GetString("Reason"), StringComparison.Ordinal);
        Assert.Empty(await fixture.Storage.RowsAsync(P));
    }

    [Fact]
    public async Task A_PayEx_answer_holding_a_lone_surrogate_is_dead_lettered_as_permanent_with_its_reason()
    {
        Serve("transaction-authorization-creditcard.docs.json");
        var payment = _examples.Resource("payment-creditcard-callback-examples.json");
        var broken = payment.Replace("\"payment\": {", "\"payment\": { \"description\": \"\\ud800\",", StringComparison.Ordinal);
        Assert.NotEqual(payment, broken);
        fixture.PayEx.State.Put($"/psp/creditcard/payments/{P}", broken);
        await PostAsync(_examples.Callback("callback-v1-nested-instrument.json"));

        var deadLetter = await Eventually.GetAsync(
            async () => (await fixture.Storage.DeadLettersAsync()).SingleOrDefault(d => d.GetString("Payment") == $"/psp/creditcard/payments/{P}"),
            "the dead letter");
        Assert.Equal("Permanent", deadLetter.GetString("Origin"));
        Assert.Contains("not valid Unicode", deadLetter.GetString("Reason"), StringComparison.Ordinal);
        Assert.Empty(await fixture.Storage.RowsAsync(P));
    }

    [Fact]
    public async Task A_PayEx_reason_phrase_that_is_huge_and_holds_control_characters_reaches_the_dead_letter_bounded_and_neutralised()
    {
        Serve("transaction-authorization-creditcard.docs.json");
        var phrase = "Not Found \u001b[31m\u0007 " + new string('x', 60_000);
        fixture.PayEx.State.AddFault(new Fault { Path = $"/psp/creditcard/payments/{P}", Status = 404, ReasonPhrase = phrase, Remaining = 1 });
        await PostAsync(_examples.Callback("callback-v1-nested-instrument.json"));

        var deadLetter = await Eventually.GetAsync(
            async () => (await fixture.Storage.DeadLettersAsync()).SingleOrDefault(d => d.GetString("Payment") == $"/psp/creditcard/payments/{P}"),
            "the dead letter");
        // Not a poison dead letter saying "a crash or a bug": the 404 itself, its phrase cut and its escapes shown, not sent.
        Assert.Equal("Permanent", deadLetter.GetString("Origin"));
        var reason = deadLetter.GetString("Reason");
        Assert.Contains("answered 404 Not Found \\u001b[31m\\u0007 xxx", reason, StringComparison.Ordinal);
        Assert.True(reason.Length < 1000, $"The reason is {reason.Length} characters.");
        Assert.DoesNotContain(reason, char.IsControl);
        // The log line with the reason follows the row.
        await fixture.App.WaitForOutputAsync($"dead-lettered (Permanent) after 1 attempt, for /psp/creditcard/payments/{P}: ");
        Assert.DoesNotContain("\u001b", fixture.App.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u0007", fixture.App.Output, StringComparison.Ordinal);
    }
}
