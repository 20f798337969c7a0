using PayExCallbackFunctions.Processing;

namespace PayExCallbackFunctions.Tests.Processing;

public class CallbackMessageTests
{
    private static string Envelope(string id, int version = 1) =>
        $$"""{"version":{{version}},"id":"{{id}}","shape":"V1Nested","payment":"/psp/creditcard/payments/7e6cdfc3-1276-44e9-9992-7cf4419750e1","receivedAt":"2026-11-23T10:00:00Z","rawBody":"{}"}""";

    [Fact]
    public void An_envelope_reads_as_the_object_it_is_and_a_string_holding_one_is_refused()
    {
        // The host hands the message's text over as it is: an envelope is always the JSON object itself.
        Assert.Equal("a1b2", CallbackMessage.Read(Envelope("a1b2")).Id);
        Assert.Throws<InvalidCallbackMessageException>(() => CallbackMessage.Read(System.Text.Json.JsonSerializer.Serialize(Envelope("a1b2"))));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("")]
    public void An_id_that_could_not_key_a_dead_letter_is_refused(string id)
    {
        Assert.Throws<InvalidCallbackMessageException>(() => CallbackMessage.Read(Envelope(id)));
    }

    [Fact]
    public void An_envelope_of_a_later_version_is_a_newer_builds_not_a_malformed_message()
    {
        var newer = Assert.Throws<NewerCallbackEnvelopeException>(() => CallbackMessage.Read(Envelope("a1b2", version: 3)));

        Assert.Equal(3, newer.Version);
        Assert.Contains("version 3, newer than this build reads (1 to 2)", newer.Message, StringComparison.Ordinal);
    }

    [Theory]
    // Members this build would read otherwise, or not at all: a newer build may change them.
    [InlineData("""{"version":3,"id":42,"shape":"SomethingNew","receivedAt":"tomorrow"}""")]
    [InlineData("""{"version":3}""")]
    [InlineData("""{"Version":7,"id":"a/b"}""")]
    public void A_newer_envelope_is_recognised_by_its_version_whatever_its_other_members(string text)
    {
        Assert.Throws<NewerCallbackEnvelopeException>(() => CallbackMessage.Read(text));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"id":"a1b2","shape":"V1Nested"}""")]
    [InlineData("""{"version":"3","id":"a1b2"}""")]
    [InlineData("""{"version":2.5,"id":"a1b2"}""")]
    [InlineData("""{"version":0,"id":"a1b2"}""")]
    [InlineData("""{"version":null,"id":"a1b2"}""")]
    [InlineData("""{"version":99999999999,"id":"a1b2"}""")]
    public void A_message_without_a_whole_version_from_1_stays_malformed(string text)
    {
        Assert.Throws<InvalidCallbackMessageException>(() => CallbackMessage.Read(text));
    }

    [Fact]
    public void A_version_2_envelope_carries_the_signed_order()
    {
        var text = Envelope("a1b2", version: 2).Replace("\"rawBody\"", "\"signedOrderReference\":\"ORDER-1\",\"rawBody\"", StringComparison.Ordinal);

        Assert.Equal("ORDER-1", CallbackMessage.Read(text).SignedOrderReference);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\\nb")]
    public void A_signed_order_that_is_no_order_reference_is_refused(string order)
    {
        var text = Envelope("a1b2", version: 2).Replace("\"rawBody\"", $"\"signedOrderReference\":\"{order}\",\"rawBody\"", StringComparison.Ordinal);

        Assert.Throws<InvalidCallbackMessageException>(() => CallbackMessage.Read(text));
    }
}
