using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace PayExCallbackFunctions.Payments;

/// <summary>
/// The resource rows of a payment's partition and PayEx's <c>updated</c> each holds, listed in the status row's column
/// <see cref="Column"/> by <see cref="PaymentWriter"/>, which writes it in the same transaction as the rows: so a payment
/// that has a status needs no point read per row to decide what is newer. Every write of the partition goes through the
/// status row's ETag, so the list is as current as the status row read with it. A row it does not list is added, and
/// if it exists after all the transaction fails and the rows are read. Empty: not listed (too many rows, or a status
/// row written before the list existed); then the rows are read.
/// </summary>
public static class ListedRows
{
    public const string Column = "Rows";

    /// <summary>The list of a partition with no resource rows (a payment registered, never read): nothing to read.</summary>
    public const string None = "-";

    /// <summary>Table Storage allows 32K characters in a string column; a payment has a handful of rows.</summary>
    private const int MaxLength = 30_000;

    /// <summary>The rows the status row lists, as stand-ins for the rows themselves (row key and updated; any ETag), or null if it lists none.</summary>
    public static Dictionary<string, TableEntity>? Read(TableEntity status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (status.GetString(Column) is not { Length: > 0 } text)
        {
            return null;
        }

        if (text == None)
        {
            return new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        }

        var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var (rowKey, updated) = line.IndexOf(' ', StringComparison.Ordinal) is var space and >= 0 ? (line[..space], line[(space + 1)..]) : (line, "");
            rows[rowKey] = new TableEntity(status.PartitionKey, rowKey)
            {
                ["Updated"] = updated.Length == 0 ? null : DateTimeOffset.ParseExact(updated, "O", CultureInfo.InvariantCulture),
                // The status row's ETag guards the transaction that replaces it.
                ETag = ETag.All,
            };
        }

        return rows;
    }

    /// <summary>The column's text for <paramref name="rows"/> (row key → updated), or empty if too long to list.</summary>
    public static string Write(IReadOnlyDictionary<string, DateTimeOffset?> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder();
        foreach (var (rowKey, updated) in rows.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            text.Append(text.Length == 0 ? "" : "\n").Append(rowKey).Append(' ').Append(updated?.ToString("O", CultureInfo.InvariantCulture));
        }

        return text.Length == 0 ? None : text.Length <= MaxLength ? text.ToString() : "";
    }
}
