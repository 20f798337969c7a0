using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using PayExCallbackFunctions.Access;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Access;

/// <summary>The per-order signature as the README documents it, the URL built from it, and the command that prints it.</summary>
public class CallbackSignatureTests
{
    private const string Secret = "a-signing-secret-of-32-characters-or-more";

    [Fact]
    public void The_signature_is_the_documented_HMAC_SHA256_in_base64url()
    {
        // Computed here from the README's description, independently of the app's code.
        var expected = Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes("payex-callback-v1:ORDER-1")));

        Assert.Equal(expected, CallbackSignature.Sign("ORDER-1", Secret));
        Assert.Equal(43, expected.Length);
        Assert.DoesNotContain('=', expected);
    }

    [Fact]
    public void A_signature_verifies_under_the_current_or_the_previous_secret_only()
    {
        var signature = CallbackSignature.Sign("ORDER-1", Secret);

        Assert.True(CallbackSignature.Verify("ORDER-1", signature, [Secret]));
        Assert.True(CallbackSignature.Verify("ORDER-1", signature, ["the-new-secret-of-32-characters-or-more", Secret]));
        Assert.False(CallbackSignature.Verify("ORDER-1", signature, ["the-new-secret-of-32-characters-or-more"]));
        Assert.False(CallbackSignature.Verify("ORDER-1", signature, []));
        Assert.False(CallbackSignature.Verify("ORDER-2", signature, [Secret]));
        Assert.False(CallbackSignature.Verify("ORDER-1 ", signature, [Secret]));
        Assert.False(CallbackSignature.Verify("order-1", signature, [Secret]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not base64 at all, but forty-three chars!!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void Anything_but_the_signature_does_not_verify(string? signature)
    {
        Assert.False(CallbackSignature.Verify("ORDER-1", signature, [Secret]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("line\nbreak")]
    [InlineData("tab\there")]
    public void An_order_reference_with_control_characters_or_none_cannot_be_signed(string orderReference)
    {
        Assert.Throws<ArgumentException>(() => CallbackSignature.Sign(orderReference, Secret));
        Assert.False(CallbackSignature.Verify(orderReference, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", [Secret]));
    }

    [Fact]
    public void An_order_reference_longer_than_128_characters_cannot_be_signed()
    {
        Assert.Equal(43, CallbackSignature.Sign(new string('x', 128), Secret).Length);
        Assert.Throws<ArgumentException>(() => CallbackSignature.Sign(new string('x', 129), Secret));
    }

    [Fact]
    public void The_callback_url_escapes_the_order_and_carries_the_signature_and_key()
    {
        var url = CallbackUrl.For(new Uri("https://app.example/api/payex/callbacks"), "PO 1/ä&x=y", Secret, "key+/=");

        Assert.Equal(
            $"https://app.example/api/payex/callbacks?order=PO%201%2F%C3%A4%26x%3Dy&sig={CallbackSignature.Sign("PO 1/ä&x=y", Secret)}&code=key%2B%2F%3D",
            url.AbsoluteUri);
    }

    [Fact]
    public void A_callback_endpoint_with_a_query_is_refused()
    {
        Assert.Throws<ArgumentException>(() => CallbackUrl.For(new Uri("https://app.example/api/payex/callbacks?code=k"), "O", Secret));
    }

    [Fact]
    public async Task The_command_prints_a_url_that_verifies_and_takes_its_secret_and_key_only_from_the_environment()
    {
        var (exit, output, error) = await RunCommandAsync(Secret, "the-key", "--endpoint", "https://app.example/api/payex/callbacks", "--order", "ORDER 7");

        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, error);
        var url = new Uri(output.Trim());
        var query = url.Query.TrimStart('?').Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        Assert.Equal("ORDER 7", query["order"]);
        Assert.Equal("the-key", query["code"]);
        Assert.True(CallbackSignature.Verify(query["order"], query["sig"], [Secret]));
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_command_without_a_secret_explains_what_to_set()
    {
        var (exit, output, error) = await RunCommandAsync(null, null, "--endpoint", "https://app.example/api/payex/callbacks", "--order", "ORDER 7");

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains("Set Access__SigningSecret", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_command_takes_no_key_on_its_command_line()
    {
        var (exit, _, error) = await RunCommandAsync(Secret, null, "--endpoint", "https://app.example/api/payex/callbacks", "--order", "O", "--code", "k");

        Assert.Equal(2, exit);
        Assert.Contains("Unknown argument '--code'", error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> RunCommandAsync(string? secret, string? code, params string[] args)
    {
        // The app as built, run as `dotnet PayExCallbackFunctions.dll callback-url ...`.
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepoPaths.AppOutput, "PayExCallbackFunctions.dll"));
        start.ArgumentList.Add("callback-url");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("Access__SigningSecret");
        start.Environment.Remove("CallbackUrl__Code");
        if (secret is not null)
        {
            start.Environment["Access__SigningSecret"] = secret;
        }

        if (code is not null)
        {
            start.Environment["CallbackUrl__Code"] = code;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
