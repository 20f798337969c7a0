using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;

namespace PayExCallbackFunctions.Storage;

/// <summary>Writes that do not fail for a table removed since start (an operator's cleanup): it is made again.</summary>
internal static class TableWrites
{
    public static async Task UpsertCreatingAsync(this TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
            await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
        }
    }
}
