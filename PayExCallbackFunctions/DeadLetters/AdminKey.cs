using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.DeadLetters;

/// <summary>The key the admin functions ask for when no Functions host checks it (section <c>Admin</c>).</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>Standalone only: sent as <c>x-functions-key</c> (or <c>?code=</c>), as the host's master key would be. Unset, the admin functions are closed.</summary>
    public string? Key { get; set; }
}

/// <summary>
/// Under the Functions host, <c>authLevel: admin</c> lets only master-key requests through to the
/// app. Standalone, this filter asks for <see cref="AdminOptions.Key"/> instead.
/// </summary>
public sealed class AdminKeyFilter(IOptionsMonitor<AdminOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var key = options.CurrentValue.Key;
        if (string.IsNullOrEmpty(key))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The admin functions are closed.", detail: "Set Admin__Key to open them when the app runs without the Functions host.");
        }

        var request = context.HttpContext.Request;
        var given = request.Headers["x-functions-key"].FirstOrDefault() ?? request.Query["code"].FirstOrDefault() ?? "";
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key)))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "An admin key is required.", detail: "Send the admin key as the x-functions-key header.");
        }

        return await next(context);
    }
}
