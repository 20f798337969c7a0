using System.Text;
using Microsoft.Extensions.Time.Testing;
using PayExCallbackFunctions.OrderSystem.Webhooks;

namespace PayExCallbackFunctions.Tests.OrderSystem;

/// <summary>The sample's Standard Webhooks verifier, against the specification's own test vector and its edges.</summary>
public class WebhookVerifierTests
{
    // The test vector of the Standard Webhooks specification's reference libraries.
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const string SpecTimestamp = "1614265330";
    private const string SpecPayload = "{\"test\": 2432232314}";
    private const string SpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static WebhookVerifier Verifier(TimeSpan after, params string[] secrets)
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(long.Parse(SpecTimestamp)) + after);
        return new WebhookVerifier([.. (secrets.Length == 0 ? [SpecSecret] : secrets).Select(s => WebhookVerifier.TryDecodeSecret(s, out var key) ? key : throw new ArgumentException(s))], time);
    }

    [Fact]
    public void The_specifications_test_vector_verifies()
    {
        Assert.Null(Verifier(TimeSpan.Zero).Refusal(SpecId, SpecTimestamp, SpecSignature, Encoding.UTF8.GetBytes(SpecPayload)));
    }

    [Fact]
    public void The_test_vector_with_one_byte_of_its_payload_changed_is_refused()
    {
        Assert.Equal(
            "No v1 signature matches the body with any of the configured secrets.",
            Verifier(TimeSpan.Zero).Refusal(SpecId, SpecTimestamp, SpecSignature, Encoding.UTF8.GetBytes(SpecPayload.Replace('4', '5'))));
    }

    [Theory]
    [InlineData(-299, true)]
    [InlineData(299, true)]
    [InlineData(301, false)]
    [InlineData(-301, false)]
    public void The_timestamp_is_accepted_within_five_minutes_either_way_and_refused_beyond(int nowAfterSentSeconds, bool accepted)
    {
        var refusal = Verifier(TimeSpan.FromSeconds(nowAfterSentSeconds)).Refusal(SpecId, SpecTimestamp, SpecSignature, Encoding.UTF8.GetBytes(SpecPayload));
        Assert.Equal(accepted, refusal is null);
        if (!accepted)
        {
            Assert.Contains("tolerance of 5 minutes", refusal);
        }
    }

    [Theory]
    [InlineData("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " + SpecSignature)]
    [InlineData(SpecSignature + " v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("v2,whatever v1, v1,AAAA " + SpecSignature)]
    public void A_matching_signature_anywhere_among_several_verifies(string signatures)
    {
        Assert.Null(Verifier(TimeSpan.Zero).Refusal(SpecId, SpecTimestamp, signatures, Encoding.UTF8.GetBytes(SpecPayload)));
    }

    [Theory]
    [InlineData("v1,")]
    [InlineData("v1,not base64!")]
    [InlineData("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    public void A_malformed_or_other_version_signature_is_refused_not_thrown(string signatures)
    {
        Assert.NotNull(Verifier(TimeSpan.Zero).Refusal(SpecId, SpecTimestamp, signatures, Encoding.UTF8.GetBytes(SpecPayload)));
    }

    [Fact]
    public void Any_of_the_configured_secrets_verifies()
    {
        var verifier = Verifier(TimeSpan.Zero, "whsec_" + Convert.ToBase64String(new byte[32]), SpecSecret);
        Assert.Null(verifier.Refusal(SpecId, SpecTimestamp, SpecSignature, Encoding.UTF8.GetBytes(SpecPayload)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_not base64")]
    [InlineData("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 21 bytes
    public void A_secret_that_is_not_whsec_and_24_to_64_bytes_is_not_decoded(string? secret)
    {
        Assert.False(WebhookVerifier.TryDecodeSecret(secret, out _));
    }

    [Fact]
    public void Secrets_of_24_and_64_bytes_are_decoded_and_65_is_not()
    {
        Assert.True(WebhookVerifier.TryDecodeSecret(SpecSecret, out var key));
        Assert.Equal(24, key.Length);
        Assert.True(WebhookVerifier.TryDecodeSecret("whsec_" + Convert.ToBase64String(new byte[64]), out key));
        Assert.Equal(64, key.Length);
        Assert.False(WebhookVerifier.TryDecodeSecret("whsec_" + Convert.ToBase64String(new byte[65]), out _));
    }
}
