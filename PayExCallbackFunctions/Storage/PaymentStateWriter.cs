using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.PayEx;

namespace PayExCallbackFunctions.Storage;

/// <summary>Writes the resources one callback named into the payments table, in one entity group transaction.</summary>
public sealed class PaymentStateWriter(TableServiceClient tables, IOptions<StorageOptions> options, TimeProvider time)
{
    private readonly TableClient _table = tables.GetTableClient(options.Value.PaymentsTable);

    public async Task WriteAsync(Guid partition, IReadOnlyList<PayExResource> resources, CancellationToken cancellationToken)
    {
        var fetchedAt = time.GetUtcNow();
        var actions = resources
            .Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, PaymentRow.From(partition.ToString("D"), r, fetchedAt)))
            .ToList();
        try
        {
            await _table.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound)
        {
            await _table.CreateIfNotExistsAsync(cancellationToken);
            await _table.SubmitTransactionAsync(actions, cancellationToken);
        }
    }
}
