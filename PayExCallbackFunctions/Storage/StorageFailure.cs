using System.Globalization;
using Azure;
using Azure.Identity;

namespace PayExCallbackFunctions.Storage;

/// <summary>
/// The one answer of the admin API and the status page to a storage call that failed: which
/// failures mean storage is unavailable now (down, hanging, throttling, its credentials failing),
/// to be answered 503 with Retry-After, changing nothing. Anything else is a bug, left to fail loudly.
/// </summary>
public static class StorageFailure
{
    /// <summary>What a 503 of the admin API or the status page tells the caller to wait, in seconds.</summary>
    public const int RetryAfterSeconds = 5;

    public const string Title = "Storage is unavailable.";

    public const string Detail = "Nothing was lost; try again.";

    /// <param name="callerToken">The caller's own token: a request the caller gave up on is not a storage failure.</param>
    public static bool IsUnavailable(Exception exception, CancellationToken callerToken) => exception switch
    {
        // Storage refusing the request itself refuses it again: no retry helps.
        RequestFailedException { Status: 400 or 413 } => false,
        // Status 0 is no answer at all (refused, reset); the rest is storage's own error or throttling.
        RequestFailedException => true,
        // Identity-based access that could not get a token.
        AuthenticationFailedException or CredentialUnavailableException => true,
        // A deadline, or the client's own network timeout (TaskCanceledException); not the caller leaving.
        OperationCanceledException => !callerToken.IsCancellationRequested,
        HttpRequestException or IOException or TimeoutException => true,
        // The client's retries exhausted: one exception per try.
        AggregateException { InnerExceptions.Count: > 0 } e => e.InnerExceptions.All(inner => IsUnavailable(inner, callerToken)),
        _ => false,
    };

    /// <summary>The admin API's answer: 503 problem+json, with Retry-After.</summary>
    public static IResult Problem() =>
        WithRetryAfter(TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: Title, detail: Detail));

    /// <summary>Any answer to storage being unavailable, with the Retry-After every such 503 carries.</summary>
    public static IResult WithRetryAfter(IResult answer) => new RetryAfterResult(answer);

    private sealed class RetryAfterResult(IResult answer) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return answer.ExecuteAsync(httpContext);
        }
    }
}
