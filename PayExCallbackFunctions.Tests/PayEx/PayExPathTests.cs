using PayExCallbackFunctions.PayEx;

namespace PayExCallbackFunctions.Tests.PayEx;

public class PayExPathTests
{
    private static readonly Uri PayExHost = new("https://api.payex.com");
    private const string P = "7e6cdfc3-1276-44e9-9992-7cf4419750e1";
    private const string T = "ec2a9b09-601a-42ae-8e33-a5737e1cf177";

    [Theory]
    [InlineData($"/psp/creditcard/payments/{P}", PayExResourceKind.Payment, $"/psp/creditcard/payments/{P}")]
    [InlineData($"/psp/CreditCard/payments/7E6CDFC3-1276-44E9-9992-7CF4419750E1", PayExResourceKind.Payment, $"/psp/creditcard/payments/{P}")]
    [InlineData($"/psp/swish/payments/{P}/transactions/{T}", PayExResourceKind.Transaction, $"/psp/swish/payments/{P}/transactions/{T}")]
    [InlineData($"/psp/creditcard/payments/{P}/authorizations/{T}", PayExResourceKind.Transaction, $"/psp/creditcard/payments/{P}/authorizations/{T}")]
    [InlineData($"/psp/creditcard/payments/{P}/captures/{T}", PayExResourceKind.Transaction, $"/psp/creditcard/payments/{P}/captures/{T}")]
    [InlineData($"/psp/creditcard/payments/{P}/cancellations/{T}", PayExResourceKind.Transaction, $"/psp/creditcard/payments/{P}/cancellations/{T}")]
    [InlineData($"/psp/creditcard/payments/{P}/reversals/{T}", PayExResourceKind.Transaction, $"/psp/creditcard/payments/{P}/reversals/{T}")]
    [InlineData($"/psp/swish/payments/{P}/sales/{T}", PayExResourceKind.Transaction, $"/psp/swish/payments/{P}/sales/{T}")]
    [InlineData($"/psp/swish/payments/{P}/sale/{T}", PayExResourceKind.Transaction, $"/psp/swish/payments/{P}/sales/{T}")]
    [InlineData($"/psp/paymentorders/{P}", PayExResourceKind.PaymentOrder, $"/psp/paymentorders/{P}")]
    [InlineData($"https://api.payex.com/psp/paymentorders/{P}", PayExResourceKind.PaymentOrder, $"/psp/paymentorders/{P}")]
    [InlineData($"https://API.PAYEX.COM:443/psp/creditcard/payments/{P}", PayExResourceKind.Payment, $"/psp/creditcard/payments/{P}")]
    public void A_PayEx_reference_is_accepted_and_normalised(string reference, PayExResourceKind kind, string expected)
    {
        Assert.True(PayExPath.TryParse(reference, PayExHost, out var path, out var error), error);
        Assert.Equal(kind, path.Kind);
        Assert.Equal(expected, path.Value);
    }

    [Fact]
    public void A_transaction_knows_its_payment()
    {
        Assert.True(PayExPath.TryParse($"/psp/creditcard/payments/{P}/captures/{T}", PayExHost, out var path, out _));
        Assert.Equal(Guid.Parse(T), path.Id);
        Assert.Equal(Guid.Parse(P), path.PaymentId);
        Assert.Equal($"/psp/creditcard/payments/{P}", path.PaymentPath);
    }

    [Theory]
    [InlineData("")]
    [InlineData("psp/creditcard/payments/" + P)]
    [InlineData("/psp/creditcard/payments/not-a-guid")]
    [InlineData($"/psp/creditcard/payments/{P}/")]
    [InlineData($"/psp/creditcard/payments/{P}\n")]
    [InlineData($"/psp/creditcard/payments/{P}?token=1")]
    [InlineData($"/psp/creditcard/payments/{P}#x")]
    [InlineData($"/psp/creditcard/payments/{P}/../../admin")]
    [InlineData($"/psp/creditcard/payments/{P}%2F..%2Fadmin")]
    [InlineData($"/psp/creditcard%2Fpayments/{P}")]
    [InlineData($"/psp//creditcard/payments/{P}")]
    [InlineData($"\\psp\\creditcard\\payments\\{P}")]
    [InlineData($"/psp/creditcard/payments/{P}/refunds/{T}")]
    [InlineData($"/psp/paymentorders/payments/{P}")]
    [InlineData($"/psp/paymentorders/{P}/transactions/{T}")]
    [InlineData($"/api/creditcard/payments/{P}")]
    [InlineData($"https://evil.example/psp/creditcard/payments/{P}")]
    [InlineData($"https://api.payex.com.evil.example/psp/creditcard/payments/{P}")]
    [InlineData($"http://api.payex.com/psp/creditcard/payments/{P}")]
    [InlineData($"https://api.payex.com:8443/psp/creditcard/payments/{P}")]
    [InlineData($"https://user:pass@api.payex.com/psp/creditcard/payments/{P}")]
    [InlineData($"https://127.0.0.1/psp/creditcard/payments/{P}")]
    [InlineData($"//evil.example/psp/creditcard/payments/{P}")]
    [InlineData($"https://api.payex.com/psp/creditcard/payments/{P}?x=1")]
    [InlineData($"file:///psp/creditcard/payments/{P}")]
    [InlineData($"https://\u00e9-/psp/creditcard/payments/{P}")]
    [InlineData($"https://xn--/psp/creditcard/payments/{P}")]
    public void Anything_but_a_PayEx_path_on_the_PayEx_host_is_refused(string reference)
    {
        Assert.False(PayExPath.TryParse(reference, PayExHost, out var path, out var error));
        Assert.Null(path);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void A_relative_parse_refuses_absolute_urls_even_on_the_PayEx_host()
    {
        Assert.False(PayExPath.TryParseRelative($"https://api.payex.com/psp/paymentorders/{P}", out _, out _));
        Assert.True(PayExPath.TryParseRelative($"/psp/paymentorders/{P}", out _, out _));
    }
}
