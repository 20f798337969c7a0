using System.Text;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Tests.Storage;

public class QueueMessageTextTests
{
    [Fact]
    public void What_the_app_writes_reads_back_as_the_same_text()
    {
        const string text = """{"version":2,"id":"a1b2","rawBody":"åäö ✓ 😀"}""";

        var decoded = QueueMessageText.Decode(QueueMessageText.Encode(text).ToString());

        Assert.Equal(new DecodedText(text, IsBase64: true), decoded);
    }

    [Theory]
    // JSON as it is (a host that decoded base64 already, or a writer that never encoded it).
    [InlineData("""{"version":1}""")]
    [InlineData("not base64 {\"payment\":1}")]
    [InlineData("message")]
    // Valid base64 of bytes that are no UTF-8 text.
    [InlineData("/w==")]
    public void A_body_that_is_not_base64_of_UTF8_text_is_read_as_it_came(string body)
    {
        var decoded = QueueMessageText.Decode(body);

        Assert.Equal(new DecodedText(body, IsBase64: false), decoded);
    }

    [Fact]
    public void A_message_of_the_largest_size_decodes()
    {
        var text = new string('x', 48 * 1024);

        Assert.Equal(text, QueueMessageText.Decode(Convert.ToBase64String(Encoding.UTF8.GetBytes(text))).Text);
    }
}
