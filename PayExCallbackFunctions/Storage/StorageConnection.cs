using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Storage;

/// <summary>
/// The storage account, named the way the Functions host names it: <c>AzureWebJobsStorage</c> as a
/// connection string, or the identity-based <c>AzureWebJobsStorage__queueServiceUri</c> and
/// <c>__tableServiceUri</c> (or <c>__accountName</c>), optionally with <c>__clientId</c> of a
/// user-assigned managed identity, and <c>__credential=managedidentity</c> to use only that.
/// </summary>
public sealed class StorageConnection
{
    public const string Section = "AzureWebJobsStorage";

    public string? ConnectionString { get; set; }

    public string? QueueServiceUri { get; set; }

    public string? TableServiceUri { get; set; }

    public string? AccountName { get; set; }

    public string? ClientId { get; set; }

    /// <summary><c>managedidentity</c>, as the host reads it; otherwise the developer's credentials also work.</summary>
    public string? Credential { get; set; }

    public static void Bind(IConfiguration configuration, StorageConnection connection)
    {
        var section = configuration.GetSection(Section);
        connection.ConnectionString = section.Value;
        connection.QueueServiceUri = section["queueServiceUri"];
        connection.TableServiceUri = section["tableServiceUri"];
        connection.AccountName = section["accountName"];
        connection.ClientId = section["clientId"];
        connection.Credential = section["credential"];
        if (connection.AccountName is { Length: > 0 } account)
        {
            connection.QueueServiceUri ??= $"https://{account}.queue.core.windows.net";
            connection.TableServiceUri ??= $"https://{account}.table.core.windows.net";
        }
    }

    public QueueServiceClient CreateQueueServiceClient(QueueClientOptions options) =>
        ConnectionString is { Length: > 0 } connectionString
            ? new QueueServiceClient(connectionString, options)
            : new QueueServiceClient(new Uri(QueueServiceUri!), TokenCredential(), options);

    public TableServiceClient CreateTableServiceClient(TableClientOptions options) =>
        ConnectionString is { Length: > 0 } connectionString
            ? new TableServiceClient(connectionString, options)
            : new TableServiceClient(new Uri(TableServiceUri!), TokenCredential(), options);

    internal TokenCredential TokenCredential() =>
        string.Equals(Credential, "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(ClientId is { Length: > 0 } clientId ? ManagedIdentityId.FromUserAssignedClientId(clientId) : ManagedIdentityId.SystemAssigned)
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = ClientId });
}

public sealed class StorageConnectionValidator : IValidateOptions<StorageConnection>
{
    public ValidateOptionsResult Validate(string? name, StorageConnection connection)
    {
        if (connection.ConnectionString is { Length: > 0 })
        {
            try
            {
                _ = connection.CreateQueueServiceClient(new QueueClientOptions());
                _ = connection.CreateTableServiceClient(new TableClientOptions());
                return ValidateOptionsResult.Success;
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
            {
                // The SDK's message can quote the key; name the setting only.
                return ValidateOptionsResult.Fail("AzureWebJobsStorage is not a valid storage connection string (use UseDevelopmentStorage=true for Azurite).");
            }
        }

        var failures = new List<string>();
        if (connection.QueueServiceUri is null && connection.TableServiceUri is null)
        {
            failures.Add("AzureWebJobsStorage is required: a connection string (UseDevelopmentStorage=true for Azurite), or AzureWebJobsStorage__queueServiceUri and AzureWebJobsStorage__tableServiceUri (or AzureWebJobsStorage__accountName) for an identity-based connection.");
        }
        else
        {
            CheckServiceUri(connection.QueueServiceUri, "AzureWebJobsStorage__queueServiceUri", failures);
            CheckServiceUri(connection.TableServiceUri, "AzureWebJobsStorage__tableServiceUri", failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckServiceUri(string? value, string setting, List<string> failures)
    {
        if (string.IsNullOrEmpty(value))
        {
            failures.Add($"{setting} is required for an identity-based storage connection.");
        }
        else if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            failures.Add($"{setting} must be an absolute http(s) URL, e.g. https://<account>.queue.core.windows.net.");
        }
    }
}
