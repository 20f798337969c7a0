using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Access;

/// <summary>The authorization levels of function.json that the app checks itself when standalone.</summary>
public enum KeyLevel
{
    /// <summary><c>authLevel: function</c>: a callback key, or the admin key.</summary>
    Function,

    /// <summary><c>authLevel: admin</c>: the admin key only.</summary>
    Admin,
}

/// <summary>
/// Standalone, does what the Functions host does for <c>authLevel</c>: asks for a key as
/// <c>x-functions-key</c> or <c>?code=</c>. Under the host, it is not added: the host has checked.
/// </summary>
public sealed partial class FunctionKeyFilter(KeyLevel level, IOptionsMonitor<AccessOptions> options, IHostEnvironment environment, ILogger<FunctionKeyFilter> logger) : IEndpointFilter
{
    public const string Header = "x-functions-key";
    public const string Query = "code";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var access = options.CurrentValue;
        var keys = level == KeyLevel.Admin ? [] : access.CallbackKeyList();
        var adminKey = access.AdminKey;
        if (level == KeyLevel.Function && keys.Count == 0 && environment.IsDevelopment())
        {
            // Open on a developer's machine only; outside Development the app does not start like this.
            return await next(context);
        }

        if (keys.Count == 0 && string.IsNullOrEmpty(adminKey))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "The admin functions are closed.",
                detail: "Set Access__AdminKey to open them when the app runs without the Functions host.");
        }

        var request = context.HttpContext.Request;
        var given = request.Headers[Header].FirstOrDefault() ?? request.Query[Query].FirstOrDefault();
        if (given is null || !Matches(given, keys, adminKey))
        {
            // The key itself is never logged, not even a wrong one: it may be a mistyped real one.
            LogRefused(logger, request.Path, ClientAddress.Of(context.HttpContext)?.ToString(), given is null ? "no key" : "a wrong key");
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: given is null ? "A key is required." : "The key is not valid.",
                detail: $"Send the {(level == KeyLevel.Admin ? "admin" : "function")} key as the {Header} header or the {Query} query parameter.");
        }

        return await next(context);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Path} from {ClientAddress}: {What}")]
    private static partial void LogRefused(ILogger logger, string path, string? clientAddress, string what);

    // Every key is compared, by hash so that lengths are equal, and in constant time.
    private static bool Matches(string given, IReadOnlyList<string> keys, string? adminKey)
    {
        Span<byte> givenHash = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> keyHash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(given), givenHash);
        var match = false;
        foreach (var key in adminKey is { Length: > 0 } ? keys.Append(adminKey) : keys)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(key), keyHash);
            match |= CryptographicOperations.FixedTimeEquals(givenHash, keyHash);
        }

        return match;
    }
}

public static class FunctionKeyFilters
{
    public static TBuilder AddFunctionKey<TBuilder>(this TBuilder builder, KeyLevel level)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            var services = factory.ApplicationServices;
            var filter = new FunctionKeyFilter(
                level,
                services.GetRequiredService<IOptionsMonitor<AccessOptions>>(),
                services.GetRequiredService<IHostEnvironment>(),
                services.GetRequiredService<ILogger<FunctionKeyFilter>>());
            return context => filter.InvokeAsync(context, next);
        });
}
