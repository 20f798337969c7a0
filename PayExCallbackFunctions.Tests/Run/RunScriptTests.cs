using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Azure.Data.Tables;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Run;

/// <summary>
/// run.sh uses the fixed ports of the README (7071, 5071, Azurite's 10000-10002) and builds the app in
/// the checkout: it runs alone, after the others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunScriptCollection
{
    public const string Name = "RunScript";
}

/// <summary>
/// The README's one command to run the app: it says each step and when it is ready, its console is short,
/// the sample curl stores rows, and Ctrl-C stops it cleanly.
/// </summary>
[Collection(RunScriptCollection.Name)]
public sealed class RunScriptTests
{
    private const string Payment = "7e6cdfc3-1276-44e9-9992-7cf4419750e1";

    private const string SampleCallback =
        """{"payment":{"id":"/psp/creditcard/payments/7e6cdfc3-1276-44e9-9992-7cf4419750e1","number":222222222},"transaction":{"id":"/psp/creditcard/payments/7e6cdfc3-1276-44e9-9992-7cf4419750e1/authorizations/ec2a9b09-601a-42ae-8e33-a5737e1cf177","number":333333333}}""";

    private static readonly int[] Ports = [7071, 5071, 5072, 10000, 10001, 10002];

    [Fact]
    public async Task Run_sh_says_each_step_and_when_it_is_ready_with_a_short_console_stores_the_sample_callback_and_stops_on_ctrl_c_app_first()
    {
        var busy = Ports.Where(IsListening).ToList();
        Assert.True(busy.Count == 0, $"ports {string.Join(", ", busy)} are taken (is ./run.sh running?): run.sh needs them");

        var output = new ConcurrentQueue<string>();
        // setsid: a session of its own, so that SIGINT to its group is what Ctrl-C sends; env: with SIGINT at
        // its default, as a terminal gives it (under .ci/run the tests inherit it ignored, and bash cannot trap
        // a signal ignored on entry).
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var argument in new[] { "env", "--default-signal=INT", "./run.sh" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PayEx__", StringComparison.Ordinal) || k.StartsWith("AzureWebJobs", StringComparison.Ordinal) || k.StartsWith("Storage__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        using var run = Process.Start(start)!;
        run.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        run.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        string Log() => string.Join('\n', output);
        // A line logged after a write reaches run.sh's output a moment after the write is seen.
        Task LoggedAsync(string text) => Eventually.TrueAsync(() => Task.FromResult(output.Any(l => l.Contains(text, StringComparison.Ordinal))), $"the line '{text}'");
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:7071"), Timeout = TimeSpan.FromSeconds(10) };
            var ready = await Eventually.GetAsync(
                () =>
                {
                    Assert.False(run.HasExited, $"run.sh exited with {(run.HasExited ? run.ExitCode : 0)}:\n{Log()}");
                    return Task.FromResult(output.FirstOrDefault(l => l.StartsWith("==> Ready in ", StringComparison.Ordinal)));
                },
                "run.sh to say it is ready",
                TimeSpan.FromMinutes(4));

            // One line says where to send callbacks and where the status page is, and both answer.
            Assert.Contains("POST http://127.0.0.1:7071/api/payex/callbacks", ready, StringComparison.Ordinal);
            Assert.Contains("status page http://127.0.0.1:7071/api/payex/status/", ready, StringComparison.Ordinal);
            Assert.Contains("payments API http://127.0.0.1:7071/api/payments", ready, StringComparison.Ordinal);
            Assert.Contains("orders http://127.0.0.1:5072/orders", ready, StringComparison.Ordinal);
            using (var status = await http.GetAsync("/api/payex/status/"))
            {
                Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            }

            // Each step said before it is taken, and a console short enough to read: the functions, not the
            // host's options, the build's repeated warnings or every invocation's Executing/Executed lines.
            var untilReady = output.TakeWhile(l => !l.StartsWith("==> Ready in ", StringComparison.Ordinal)).ToList();
            string[] steps = ["==> Building the app, the PayEx stand-in and the sample order system", "==> Starting Azurite", "==> Starting the PayEx stand-in", "==> Starting the sample order system", "==> Starting the Functions host"];
            var stepAt = steps.Select(step => untilReady.FindIndex(l => l.StartsWith(step, StringComparison.Ordinal))).ToList();
            Assert.True(stepAt.All(i => i >= 0) && stepAt.SequenceEqual(stepAt.Order()), $"the steps are not all said, in order:\n{Log()}");
            Assert.Contains(untilReady, l => l.Contains("PayExCallback: [POST] http://localhost:7071/api/payex/callbacks", StringComparison.Ordinal));
            Assert.True(untilReady.Count < 80, $"{untilReady.Count} lines before the app is ready:\n{Log()}");
            Assert.DoesNotContain(untilReady, l => l.Contains("OptionsLoggingService", StringComparison.Ordinal) || l.Contains("warning NU", StringComparison.Ordinal));

            string callbackId;
            using (var response = await http.PostAsync("/api/payex/callbacks", new StringContent(SampleCallback, Encoding.UTF8, "application/json")))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                callbackId = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
            }

            // Stored, or kept as it was when an earlier run of run.sh (its data in .azurite/) stored it.
            await Eventually.TrueAsync(() => Task.FromResult(output.Any(l => l.Contains($"callback {callbackId} (V1Nested) for payment 222222222", StringComparison.Ordinal) && l.Contains("Stored ", StringComparison.Ordinal))), "the sample callback to be processed");
            Assert.DoesNotContain(output, l => l.Contains("Executing 'Functions.", StringComparison.Ordinal));
            var table = new TableClient("UseDevelopmentStorage=true", "PayExPayments");
            var transaction = (await table.GetEntityAsync<TableEntity>(Payment, "transaction-ec2a9b09-601a-42ae-8e33-a5737e1cf177")).Value;
            Assert.Equal(1234567890, transaction.GetInt64("Number"));

            // The quick start: a payment order paid at PayEx (the stand-in, which sends its callback to the app)
            // becomes a status the order system reads, by id and by its order reference.
            using var standIn = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:5071"), Timeout = TimeSpan.FromSeconds(10) };
            using var orders = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:5072"), Timeout = TimeSpan.FromSeconds(10) };
            var orderReference = $"run-{Guid.NewGuid():N}"[..20];
            using (var created = await standIn.PostAsync("/_standin/payments", new StringContent($$"""{"generation":"v3.1","orderReference":"{{orderReference}}"}""", Encoding.UTF8, "application/json")))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                var id = System.Text.Json.Nodes.JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
                using (var paid = await standIn.PostAsync($"/_standin/payments/{id}/authorize", null))
                {
                    Assert.Contains("\"answer\":\"200\"", await paid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                }

                var status = await Eventually.GetAsync(async () =>
                {
                    using var response = await http.GetAsync($"/api/payments/{id}");
                    return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
                }, "the paid order's status");
                Assert.Contains("\"status\":\"authorized\"", status, StringComparison.Ordinal);
                using var found = await http.GetAsync($"/api/payments?orderReference={orderReference}");
                Assert.Contains(id, await found.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                await LoggedAsync($"Payment {id} is authorized (version 1, was not stored)");

                // The change became an event on the queue, which the sample order system applied: the order is paid.
                var order = await Eventually.GetAsync(async () =>
                {
                    using var response = await orders.GetAsync($"/orders/{id}");
                    var body = response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
                    return body is not null && body.Contains("\"state\":\"paid\"", StringComparison.Ordinal) ? body : null;
                }, "the sample order system to apply the event");
                Assert.Contains(orderReference, order, StringComparison.Ordinal);
                await LoggedAsync($"Order {orderReference} (payment {id}) is paid, sequence 1");
            }

            // Callbacks off: the order system registers a payment order, PayEx moves it on, and tracking follows it to captured.
            using (var created = await standIn.PostAsync("/_standin/payments", new StringContent("""{"generation":"v3.1","orderReference":"549214","callbacks":false}""", Encoding.UTF8, "application/json")))
            {
                var id = System.Text.Json.Nodes.JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
                using (var registered = await http.PostAsync("/api/payments", new StringContent($$"""{"paymentOrder":"/psp/paymentorders/{{id}}","orderReference":"549214"}""", Encoding.UTF8, "application/json")))
                {
                    Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
                    Assert.Contains("\"status\":\"pending\"", await registered.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                }

                foreach (var step in new[] { "authorize", "capture" })
                {
                    using var moved = await standIn.PostAsync($"/_standin/payments/{id}/{step}", null);
                    Assert.DoesNotContain("\"callbackSent\"", await moved.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                }

                await Eventually.TrueAsync(async () =>
                {
                    using var response = await http.GetAsync($"/api/payments/{id}");
                    return (await response.Content.ReadAsStringAsync()).Contains("\"status\":\"captured\"", StringComparison.Ordinal);
                }, "the registered order to be followed to captured with no callback", TimeSpan.FromSeconds(60));
            }

            var linesBefore = output.Count;
            Assert.Equal(0, Kill(-run.Id, SigInt));
            using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await run.WaitForExitAsync(deadline.Token);
            }

            // run.sh says "Stopping Azurite" only once the host's process has ended.
            var stopping = output.Skip(linesBefore).ToList();
            var stoppingLog = string.Join('\n', stopping);
            var hostStopping = stopping.FindIndex(l => l == "==> Stopping the Functions host");
            var azuriteStopping = stopping.FindIndex(l => l == "==> Stopping Azurite");
            var azuriteClosing = stopping.FindIndex(l => l.Contains("Azurite Queue service is closing", StringComparison.Ordinal));
            Assert.True(hostStopping >= 0 && azuriteStopping > hostStopping && azuriteClosing > azuriteStopping, $"the host did not stop before Azurite:\n{stoppingLog}");
            Assert.Equal("==> Stopped", stopping[^1]);
            Assert.DoesNotContain("Cannot close server", stoppingLog, StringComparison.Ordinal);
            Assert.DoesNotContain("Killed", stoppingLog, StringComparison.Ordinal);
            await Eventually.TrueAsync(() => Task.FromResult(!Ports.Any(IsListening)), "run.sh's children to have stopped", TimeSpan.FromSeconds(15));
        }
        finally
        {
            // Its children are in groups of their own: run.sh's trap stops them.
            if (!run.HasExited)
            {
                _ = Kill(run.Id, SigTerm);
                if (!run.WaitForExit(60_000))
                {
                    _ = Kill(run.Id, SigKill);
                }
            }
        }
    }

    private static bool IsListening(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private const int SigInt = 2;
    private const int SigKill = 9;
    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
