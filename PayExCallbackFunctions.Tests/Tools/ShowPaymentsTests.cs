using Azure.Data.Tables;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Tools;

/// <summary>The README's `npm run payments -- &lt;id&gt;`, against real storage.</summary>
public class ShowPaymentsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Npm_run_payments_names_the_payment_it_shows_and_prints_its_rows()
    {
        await using var storage = await TestStorage.CreateAsync();
        var payment = Guid.NewGuid();
        await storage.Table.CreateIfNotExistsAsync();
        await storage.Table.UpsertEntityAsync(new TableEntity(payment.ToString(), $"payment-{payment}") { ["State"] = "Ready", ["Number"] = 222222222L });

        var (exitCode, output) = await Command.RunAsync("npm", ["run", "payments", "--", payment.ToString().ToUpperInvariant()], RepoPaths.Root, Timeout, new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = storage.Azurite.ConnectionString,
            ["Storage__PaymentsTable"] = storage.TableName,
        });

        Assert.Equal(0, exitCode);
        // npm echoes the id as ***; the tool says which payment it shows.
        Assert.Contains($"Payment {payment} in {storage.TableName}:", output, StringComparison.Ordinal);
        Assert.Contains($"rowKey=payment-{payment}  ResourceId=  Number=222222222  State=Ready", output, StringComparison.Ordinal);
        Assert.Contains("1 row(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Npm_run_payments_without_storage_running_says_what_to_start()
    {
        var azurite = await Azurite.Shared;
        var nothingListening = azurite.ConnectionString.Replace($":{azurite.TablePort}/", $":{FreePort.Next()}/", StringComparison.Ordinal);
        var (exitCode, output) = await Command.RunAsync("npm", ["run", "payments"], RepoPaths.Root, Timeout, new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = nothingListening,
        });

        Assert.Equal(1, exitCode);
        Assert.Contains("Table storage does not answer", output, StringComparison.Ordinal);
        Assert.Contains("is ./run.sh (Azurite) running?", output, StringComparison.Ordinal);
    }
}
