using System.Net;

namespace PayExCallbackFunctions.PayEx;

/// <summary>PayEx answered a GET with something other than success, or could not be reached.</summary>
public sealed class PayExRequestException : Exception
{
    public PayExRequestException(string message, HttpStatusCode? statusCode = null, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    public PayExRequestException() : this("PayEx request failed.") { }

    public PayExRequestException(string message) : this(message, null, null, null) { }

    public PayExRequestException(string message, Exception inner) : this(message, null, null, inner) { }

    /// <summary>Null when no answer came (network error, timeout).</summary>
    public HttpStatusCode? StatusCode { get; }

    public TimeSpan? RetryAfter { get; }
}
