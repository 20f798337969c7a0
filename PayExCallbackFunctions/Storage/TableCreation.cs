using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;

namespace PayExCallbackFunctions.Storage;

/// <summary>
/// Creates a table that may exist already. The library's CreateIfNotExists serialises its request by
/// reflection, which a Native AOT build cannot do; Create serialises it with generated code.
/// </summary>
public static class TableCreation
{
    public static async Task CreateIfMissingAsync(this TableClient table, CancellationToken cancellationToken)
    {
        try
        {
            await table.CreateAsync(cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409 && e.ErrorCode == TableErrorCode.TableAlreadyExists)
        {
        }
    }
}
