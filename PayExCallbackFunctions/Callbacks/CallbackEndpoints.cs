using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Callbacks;

/// <summary>The HTTP function PayExCallback: acknowledge a callback by storing it on the queue.</summary>
public static partial class CallbackEndpoints
{
    public const string Route = "/api/payex/callbacks";

    public static IEndpointRouteBuilder MapCallbacks(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, AcknowledgeAsync)
            .WithName("PayExCallback")
            .DisableAntiforgery();
        return app;
    }

    private static async Task<Results<Ok<AcknowledgeResponse>, ValidationProblem, ProblemHttpResult>> AcknowledgeAsync(
        HttpContext context,
        CallbackParser parser,
        CallbackQueue queue,
        IOptions<CallbackOptions> options,
        TimeProvider time,
        ILogger<CallbackParser> logger,
        CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "The callback must be sent as application/json.", $"Content-Type was '{request.ContentType}'.");
        }

        var limit = options.Value.MaxBodyBytes;
        var body = await CallbackBody.ReadAsync(request, limit, cancellationToken);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "The callback body is too large.", $"At most {limit} bytes are accepted.");
        }

        var id = Guid.NewGuid().ToString("N");
        if (!parser.TryParse(body.Value, id, time.GetUtcNow(), out var envelope, out var rejection))
        {
            LogRejected(logger, rejection.Title, string.Join(", ", rejection.Errors.Keys));
            return TypedResults.ValidationProblem(rejection.Errors, title: rejection.Title);
        }

        try
        {
            await queue.EnqueueAsync(envelope, cancellationToken);
        }
        catch (CallbackTooLargeException e)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "The callback body is too large.", e.Message);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Not stored, so not acknowledged: PayEx delivers again.
            LogQueueUnavailable(logger, e, envelope.Id);
            context.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status503ServiceUnavailable, "The callback could not be stored; please deliver it again.", "The callback queue is unavailable.");
        }

        LogAcknowledged(logger, envelope.Id, envelope.Shape, envelope.PaymentNumber, envelope.TransactionNumber ?? envelope.PaymentOrderNumber);
        return TypedResults.Ok(new AcknowledgeResponse(envelope.Id));
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Acknowledged callback {CallbackId} ({Shape}) for payment {PaymentNumber}, transaction {TransactionNumber}")]
    private static partial void LogAcknowledged(ILogger logger, string callbackId, CallbackShape shape, long? paymentNumber, long? transactionNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a callback: {Title} ({Members})")]
    private static partial void LogRejected(ILogger logger, string title, string members);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not enqueue callback {CallbackId}; answered 503 so that PayEx delivers again")]
    private static partial void LogQueueUnavailable(ILogger logger, Exception exception, string callbackId);
}

/// <summary>The acknowledge answer: the id the callback is known by in logs and storage.</summary>
public sealed record AcknowledgeResponse(string Id);
