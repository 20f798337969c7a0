using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Tests.Payments;

public class PaymentRowTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(10)]
    [InlineData(32_000)]
    [InlineData(32_001)]
    [InlineData(100_000)]
    public void Json_of_any_size_within_the_limit_is_stored_in_chunks_and_read_back_whole(int length)
    {
        var json = new string('a', length);
        var entity = PaymentRow.From("p", new PayExResource("payment-x", "/psp/x", json), Now, "cb");
        Assert.Equal(json, PaymentRow.ReadJson(entity));
        Assert.All(entity.Keys.Where(k => k.StartsWith("Json", StringComparison.Ordinal)), k => Assert.True(((string)entity[k]).Length <= 32_000));
        Assert.False(entity.ContainsKey("JsonTruncated"));
    }

    [Fact]
    public void A_surrogate_pair_is_never_split_between_columns()
    {
        var json = new string('a', 31_999) + "😀" + new string('b', 10);
        var entity = PaymentRow.From("p", new PayExResource("payment-x", "/psp/x", json), Now, "cb");
        Assert.Equal(31_999, entity.GetString("Json").Length);
        Assert.StartsWith("😀", entity.GetString("Json1"), StringComparison.Ordinal);
        Assert.Equal(json, PaymentRow.ReadJson(entity));
    }

    [Fact]
    public void Json_beyond_twelve_columns_is_truncated_and_marked()
    {
        var entity = PaymentRow.From("p", new PayExResource("payment-x", "/psp/x", new string('a', 12 * 32_000 + 1)), Now, "cb");
        Assert.True(entity.GetBoolean("JsonTruncated"));
        Assert.Equal(12 * 32_000, PaymentRow.ReadJson(entity).Length);
    }
}
