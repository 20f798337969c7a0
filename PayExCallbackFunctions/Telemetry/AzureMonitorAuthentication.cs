using Azure.Core;
using Azure.Identity;

namespace PayExCallbackFunctions.Telemetry;

/// <summary>
/// Microsoft Entra authentication to Application Insights, as App Service and Functions configure it:
/// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> = <c>Authorization=AAD</c> (the system-assigned
/// identity) or <c>Authorization=AAD;ClientId=&lt;id&gt;</c> (a user-assigned one). Needed when the
/// resource refuses local (instrumentation key) authentication.
/// </summary>
public static class AzureMonitorAuthentication
{
    public const string Setting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>The credential the setting asks for; null when it is not set. A malformed value stops start-up.</summary>
    public static TokenCredential? CredentialFor(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString))
        {
            return null;
        }

        string? authorization = null;
        string? clientId = null;
        foreach (var part in authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (key, value) = part.Split('=', 2, StringSplitOptions.TrimEntries) is [var k, var v] ? (k, v) : (part, "");
            if (key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                authorization = value;
            }
            else if (key.Equals("ClientId", StringComparison.OrdinalIgnoreCase) && Guid.TryParse(value, out _))
            {
                clientId = value;
            }
            else
            {
                throw new InvalidOperationException($"{Setting} has an unknown or malformed part '{key}'; expected Authorization=AAD and optionally ClientId=<guid>.");
            }
        }

        if (!"AAD".Equals(authorization, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{Setting} must say Authorization=AAD.");
        }

        return new ManagedIdentityCredential(clientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId));
    }
}
