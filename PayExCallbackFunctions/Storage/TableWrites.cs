using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;

namespace PayExCallbackFunctions.Storage;

/// <summary>Writes that do not fail for a table removed since start (an operator's cleanup): it is made again.</summary>
internal static class TableWrites
{
    /// <summary>Upserts (replacing) the entity; the ETag it has now, if the service said.</summary>
    public static async Task<ETag?> UpsertCreatingAsync(this TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            return (await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken)).Headers.ETag;
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
            return (await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken)).Headers.ETag;
        }
    }
}
