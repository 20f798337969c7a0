using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.OrderSystem.Orders;

/// <summary>
/// Orders and receipts as JSON files under the data directory: <c>orders/&lt;payment&gt;.json</c>, each replaced
/// whole, and <c>receipts/&lt;event id&gt;.json</c>, each created once and never overwritten.
/// </summary>
public sealed class OrderFiles
{
    private readonly string _orders;
    private readonly string _receipts;

    public OrderFiles(IOptions<OrderSystemOptions> options)
    {
        var root = Path.GetFullPath(options.Value.DataDirectory);
        _orders = Directory.CreateDirectory(Path.Combine(root, "orders")).FullName;
        _receipts = Directory.CreateDirectory(Path.Combine(root, "receipts")).FullName;
    }

    public async Task<Order?> ReadOrderAsync(Guid payment, CancellationToken cancellationToken)
    {
        try
        {
            await using var file = File.OpenRead(OrderPath(payment));
            return await JsonSerializer.DeserializeAsync(file, OrderSystemJson.Default.Order, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Replaces the order's file whole.</summary>
    public async Task WriteOrderAsync(Order order, CancellationToken cancellationToken) =>
        await WriteWholeAsync(OrderPath(order.Payment), order, OrderSystemJson.Default.Order, replace: true, cancellationToken);

    /// <summary>Writes the receipt unless its file exists (that capture already receipted): false then.</summary>
    public async Task<bool> TryWriteReceiptAsync(Receipt receipt, CancellationToken cancellationToken) =>
        await WriteWholeAsync(Path.Combine(_receipts, $"{receipt.EventId}.json"), receipt, OrderSystemJson.Default.Receipt, replace: false, cancellationToken);

    /// <summary>
    /// Writes to a temporary file (not *.json: never listed), flushes it to disk, and moves it to <paramref name="path"/>:
    /// a reader sees the whole file or none, a crash leaves none. Without <paramref name="replace"/>, the move fails if
    /// the file exists (false), so a second write can never make a second one.
    /// </summary>
    private static async Task<bool> WriteWholeAsync<T>(string path, T value, JsonTypeInfo<T> type, bool replace, CancellationToken cancellationToken)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                await JsonSerializer.SerializeAsync(file, value, type, cancellationToken);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: replace);
            return true;
        }
        catch (IOException) when (!replace && File.Exists(path))
        {
            return false;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task<List<Order>> OrdersAsync(CancellationToken cancellationToken) =>
        ReadAllAsync(_orders, OrderSystemJson.Default.Order, cancellationToken);

    public Task<List<Receipt>> ReceiptsAsync(CancellationToken cancellationToken) =>
        ReadAllAsync(_receipts, OrderSystemJson.Default.Receipt, cancellationToken);

    private string OrderPath(Guid payment) => Path.Combine(_orders, $"{payment:D}.json");

    private static async Task<List<T>> ReadAllAsync<T>(string directory, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var all = new List<T>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            await using var file = File.OpenRead(path);
            all.Add((await JsonSerializer.DeserializeAsync(file, type, cancellationToken))!);
        }

        return all;
    }
}
