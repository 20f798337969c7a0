using Azure.Identity;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Tests.Telemetry;

public class AzureMonitorAuthenticationTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Without_the_setting_the_connection_strings_key_is_used(string? value) =>
        Assert.Null(AzureMonitorAuthentication.CredentialFor(value));

    [Theory]
    [InlineData("Authorization=AAD")]
    [InlineData("authorization=aad;")]
    [InlineData("Authorization=AAD;ClientId=3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData(" ClientId = 3f2504e0-4f89-11d3-9a0c-0305e82c3301 ; Authorization = AAD ")]
    public void Authorization_AAD_means_a_managed_identity(string value) =>
        Assert.IsType<ManagedIdentityCredential>(AzureMonitorAuthentication.CredentialFor(value));

    [Theory]
    [InlineData("Authorization=Key")]
    [InlineData("ClientId=3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("Authorization=AAD;ClientId=not-a-guid")]
    [InlineData("Authorization=AAD;Secret=x")]
    public void Anything_else_stops_start_up_with_the_settings_name(string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => AzureMonitorAuthentication.CredentialFor(value));
        Assert.Contains(AzureMonitorAuthentication.Setting, e.Message, StringComparison.Ordinal);
    }
}
