using PayExCallbackFunctions.Payments;
using System.Net;
using System.Net.Sockets;
using Azure;
using Azure.Identity;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Processing;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Retry;

public enum FailureKind
{
    /// <summary>May succeed later: retried on the backoff schedule.</summary>
    Transient,

    /// <summary>Cannot succeed however often it is tried: dead-lettered at once.</summary>
    Permanent,
}

/// <summary>A processing failure, classified for the retry path.</summary>
public sealed record Failure(FailureKind Kind, string Reason, TimeSpan? RetryAfter = null)
{
    /// <summary>Reasons can carry PayEx's words and reach logs, the retry history and dead letters.</summary>
    public const int MaxReasonChars = 2000;

    public string Reason { get; init; } = OutsideText.Neutralise(Reason, MaxReasonChars);

    /// <summary>
    /// Classifies a failure; null for one that was not foreseen (a bug), which is left to the
    /// queue trigger's own retries and poison queue.
    /// </summary>
    public static Failure? Of(Exception exception) => exception switch
    {
        PayExRequestException { StatusCode: null } e => Transient(e),
        // A wrong or expired token is fixed by an operator; later attempts read the new one.
        PayExRequestException { StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } e =>
            Transient(e, $"{e.Message} Check PayEx__Token."),
        PayExRequestException { StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout } e => Transient(e),
        PayExRequestException { StatusCode: >= HttpStatusCode.InternalServerError } e => Transient(e),
        // Redirects are not followed (the token would go along): a wrong PayEx__BaseUrl, which an operator fixes.
        PayExRequestException { StatusCode: >= HttpStatusCode.MultipleChoices and < HttpStatusCode.BadRequest } e =>
            Transient(e, $"{e.Message} Check PayEx__BaseUrl."),
        PayExRequestException e => new Failure(FailureKind.Permanent, e.Message),
        PayExResourceException e => new Failure(FailureKind.Permanent, e.Message),
        InvalidCallbackMessageException e => new Failure(FailureKind.Permanent, e.Message),
        // PayEx will not change whose payment it is: an operator looks at it.
        SignedOrderMismatchException e => new Failure(FailureKind.Permanent, e.Message),
        PaymentStateConflictException e => new Failure(FailureKind.Transient, e.Message),
        // Storage refusing the request itself (bad request, too large) will refuse it again.
        RequestFailedException { Status: 400 or 413 } e => new Failure(FailureKind.Permanent, $"Storage refused the write: {e.Status} {e.ErrorCode}."),
        // Identity-based storage access failing to get a token: a passing fault, or one an operator fixes.
        AuthenticationFailedException or CredentialUnavailableException =>
            new Failure(FailureKind.Transient, $"Storage credentials failed: {exception.GetType().Name}."),
        RequestFailedException e => new Failure(FailureKind.Transient, $"Storage failed: {(e.Status == 0 ? "no answer" : $"{e.Status} {e.ErrorCode}")}."),
        HttpRequestException or IOException or SocketException or TimeoutException or OperationCanceledException =>
            new Failure(FailureKind.Transient, $"{exception.GetType().Name}: {exception.Message}"),
        AggregateException { InnerExceptions.Count: > 0 } e => Of(e.InnerExceptions[0]),
        _ => null,
    };

    private static Failure Transient(PayExRequestException e, string? reason = null) =>
        new(FailureKind.Transient, reason ?? e.Message, e.RetryAfter);
}
