namespace PayExCallbackFunctions.Tests;

public class OutsideTextTests
{
    [Theory]
    [InlineData("Not Found", "Not Found")]
    [InlineData("a\u001b[31mb\u0007", "a\\u001b[31mb\\u0007")]
    [InlineData("line\r\nForged: entry", "line\\u000d\\u000aForged: entry")]
    [InlineData("\u202Egnp.exe", "\\u202egnp.exe")]
    [InlineData("pair \ud83d\ude00 kept", "pair \ud83d\ude00 kept")]
    [InlineData("åäö € kept", "åäö € kept")]
    [InlineData(null, "")]
    public void Control_and_bidi_characters_are_escaped_and_lone_surrogates_replaced(string? text, string expected) =>
        Assert.Equal(expected, OutsideText.Neutralise(text, 100));

    [Fact]
    public void Lone_surrogates_are_replaced_and_pairs_kept()
    {
        // Built in code: an attribute's string cannot hold a lone surrogate.
        Assert.Equal("lone \uFFFD high", OutsideText.Neutralise("lone " + (char)0xD800 + " high", 100));
        Assert.Equal("lone \uFFFD low", OutsideText.Neutralise("lone " + (char)0xDC00 + " low", 100));
        Assert.Equal("end \uFFFD", OutsideText.Neutralise("end " + (char)0xD83D, 100));
    }

    [Fact]
    public void Long_text_is_cut_and_says_so()
    {
        var cut = OutsideText.Neutralise(new string('x', 10_000), 100);
        Assert.Equal(new string('x', 100) + "…", cut);
    }
}
