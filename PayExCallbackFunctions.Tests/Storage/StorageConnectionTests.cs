using Azure.Identity;
using Microsoft.Extensions.Configuration;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Tests.Storage;

/// <summary>Identity-based storage settings, read as the Functions host reads them.</summary>
public class StorageConnectionTests
{
    private static StorageConnection Bind(Dictionary<string, string?> settings)
    {
        var connection = new StorageConnection();
        StorageConnection.Bind(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), connection);
        return connection;
    }

    [Fact]
    public void An_account_name_gives_both_service_uris()
    {
        var connection = Bind(new() { ["AzureWebJobsStorage:accountName"] = "stpayex" });

        Assert.Equal("https://stpayex.queue.core.windows.net", connection.QueueServiceUri);
        Assert.Equal("https://stpayex.table.core.windows.net", connection.TableServiceUri);
    }

    [Fact]
    public void Credential_managedidentity_uses_the_managed_identity_alone()
    {
        var connection = Bind(new()
        {
            ["AzureWebJobsStorage:accountName"] = "stpayex",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        });

        Assert.IsType<ManagedIdentityCredential>(connection.TokenCredential());
    }

    [Fact]
    public void Without_credential_the_developer_credentials_work_too()
    {
        var connection = Bind(new() { ["AzureWebJobsStorage:accountName"] = "stpayex" });

        Assert.IsType<DefaultAzureCredential>(connection.TokenCredential());
    }
}
