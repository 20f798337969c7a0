using PayExCallbackFunctions.DeadLetters;

namespace PayExCallbackFunctions.Tests.DeadLetters;

public class ContinuationTokenTests
{
    [Theory]
    [InlineData("1!8!U21pdGg- 1!12!YWJjZA--")]
    [InlineData("Y2FsbGJhY2s= YWJk")]
    [InlineData("Y2FsbGJhY2s=")]
    public void A_table_token_of_Azure_or_Azurite_comes_back_as_it_went_out(string tableToken)
    {
        var token = ContinuationToken.Write(tableToken)!;
        Assert.DoesNotContain(' ', token);
        Assert.True(ContinuationToken.TryRead(token, out var read));
        Assert.Equal(tableToken, read);
    }

    [Theory]
    [InlineData("")]
    [InlineData("!!")]
    [InlineData("not a token at all")]
    [InlineData("AAEC")]
    public void Anything_else_is_refused(string token)
    {
        Assert.False(ContinuationToken.TryRead(token, out _));
    }

    [Fact]
    public void The_last_page_has_no_token()
    {
        Assert.Null(ContinuationToken.Write(null));
    }
}
