using System.Text;
using PayExCallbackFunctions.Events;

namespace PayExCallbackFunctions.Tests.Events;

/// <summary>The app's Standard Webhooks signer and secrets, against the specification's own test vector.</summary>
public class WebhookSignatureTests
{
    // standard-webhooks/standard-webhooks, the reference libraries' shared test: secret, id, timestamp, payload, signature.
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const string SpecTimestamp = "1614265330";
    private const string SpecPayload = """{"test": 2432232314}""";
    private const string SpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    [Fact]
    public void The_specifications_test_vector_signs_as_the_specification_says()
    {
        Assert.True(WebhookSecret.TryParse(SpecSecret, out var key));
        Assert.Equal(SpecSignature, WebhookSignature.Sign([key], SpecId, SpecTimestamp, Encoding.UTF8.GetBytes(SpecPayload)));
    }

    [Fact]
    public void With_a_previous_secret_both_signatures_are_sent_the_current_first()
    {
        Assert.True(WebhookSecret.TryParse(SpecSecret, out var previous));
        Assert.True(WebhookSecret.TryParse(WebhookDeliveryTests.Secret, out var current));

        var header = WebhookSignature.Sign([current, previous], SpecId, SpecTimestamp, Encoding.UTF8.GetBytes(SpecPayload));

        var parts = header.Split(' ');
        Assert.Equal(2, parts.Length);
        Assert.Equal(SpecSignature, parts[1]);
        Assert.NotEqual(SpecSignature, parts[0]);
        Assert.StartsWith("v1,", parts[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_")]
    [InlineData("whsec_not base64!")]
    [InlineData("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")] // 23 bytes
    public void A_secret_that_is_not_whsec_base64_of_24_to_64_bytes_is_refused(string? secret)
    {
        Assert.False(WebhookSecret.TryParse(secret, out _));
    }

    [Theory]
    [InlineData(24)]
    [InlineData(64)]
    public void Secrets_of_24_and_64_bytes_are_taken(int bytes)
    {
        Assert.True(WebhookSecret.TryParse("whsec_" + Convert.ToBase64String(new byte[bytes]), out var key));
        Assert.Equal(bytes, key.Length);
        Assert.False(WebhookSecret.TryParse("whsec_" + Convert.ToBase64String(new byte[bytes == 24 ? 23 : 65]), out _));
    }
}
