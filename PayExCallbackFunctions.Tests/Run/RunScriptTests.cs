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

/// <summary>The README's one command to run the app: it serves, the sample curl stores rows, and Ctrl-C stops it cleanly.</summary>
[Collection(RunScriptCollection.Name)]
public sealed class RunScriptTests
{
    private const string Payment = "7e6cdfc3-1276-44e9-9992-7cf4419750e1";

    private const string SampleCallback =
        """{"payment":{"id":"/psp/creditcard/payments/7e6cdfc3-1276-44e9-9992-7cf4419750e1","number":222222222},"transaction":{"id":"/psp/creditcard/payments/7e6cdfc3-1276-44e9-9992-7cf4419750e1/authorizations/ec2a9b09-601a-42ae-8e33-a5737e1cf177","number":333333333}}""";

    private static readonly int[] Ports = [7071, 5071, 10000, 10001, 10002];

    [Fact]
    public async Task Run_sh_serves_stores_the_sample_callback_and_stops_on_ctrl_c_app_first_each_once()
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
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:7071"), Timeout = TimeSpan.FromSeconds(10) };
            await Eventually.TrueAsync(
                async () =>
                {
                    Assert.False(run.HasExited, $"run.sh exited with {(run.HasExited ? run.ExitCode : 0)}:\n{Log()}");
                    try
                    {
                        using var status = await http.GetAsync("/api/payex/status/");
                        return status.StatusCode == HttpStatusCode.OK;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                },
                "run.sh to serve the status page",
                TimeSpan.FromMinutes(4));

            string callbackId;
            using (var response = await http.PostAsync("/api/payex/callbacks", new StringContent(SampleCallback, Encoding.UTF8, "application/json")))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                callbackId = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
            }

            // Stored, or kept as it was when an earlier run of run.sh (its data in .azurite/) stored it.
            await Eventually.TrueAsync(() => Task.FromResult(output.Any(l => l.Contains($"rows of callback {callbackId}", StringComparison.Ordinal))), "the sample callback to be processed");
            var table = new TableClient("UseDevelopmentStorage=true", "PayExPayments");
            var transaction = (await table.GetEntityAsync<TableEntity>(Payment, "transaction-ec2a9b09-601a-42ae-8e33-a5737e1cf177")).Value;
            Assert.Equal(1234567890, transaction.GetInt64("Number"));

            var linesBefore = output.Count;
            Assert.Equal(0, Kill(-run.Id, SigInt));
            using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await run.WaitForExitAsync(deadline.Token);
            }

            var stopping = output.Skip(linesBefore).ToList();
            var stoppingLog = string.Join('\n', stopping);
            var hostStopped = stopping.FindIndex(l => l.Contains("Job host stopped", StringComparison.Ordinal));
            var azuriteClosing = stopping.FindIndex(l => l.Contains("Azurite Queue service is closing", StringComparison.Ordinal));
            Assert.True(hostStopped >= 0 && azuriteClosing > hostStopped, $"the host did not stop before Azurite:\n{stoppingLog}");
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
