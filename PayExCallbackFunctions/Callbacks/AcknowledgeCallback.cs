using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using PayExCallbackFunctions.Access;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Callbacks;

/// <summary>
/// Acknowledges a callback by storing it on the queue (the function PayExCallback): 200 only once the
/// queue has it, a problem+json refusal otherwise, and nothing stored for what is refused.
/// </summary>
public sealed partial class AcknowledgeCallback(
    AllowedNetworkCheck networks,
    SignedOrderCheck signatures,
    CallbackParser parser,
    CallbackQueue queue,
    RejectedCallbackTable rejections,
    IOptions<CallbackOptions> options,
    IOptions<StorageOptions> storage,
    TimeProvider time,
    CallbackMetrics metrics,
    RecentCallbacks recent,
    ILogger<AcknowledgeCallback> logger)
{
    /// <param name="invocationId">The Functions host's invocation id, recorded on the acknowledge span.</param>
    public async Task<IResult> RunAsync(HttpRequest request, string? invocationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = request.HttpContext;

        // Refused before the body is read: strangers get nothing stored and cost little.
        if (networks.Refuse(context) is { } refusedAddress)
        {
            return refusedAddress;
        }

        if (signatures.Refuse(context, out var signedOrder) is { } refusedSignature)
        {
            return refusedSignature;
        }

        return await AcknowledgeAsync(request, signedOrder, invocationId, cancellationToken);
    }

    private async Task<IResult> AcknowledgeAsync(HttpRequest request, string? signedOrder, string? invocationId, CancellationToken cancellationToken)
    {
        var context = request.HttpContext;
        var id = Guid.NewGuid().ToString("N");
        using var activity = CallbackTracing.StartAcknowledge(id);
        activity?.SetTag(TelemetryTags.InvocationId, invocationId);
        var receivedAt = time.GetUtcNow();
        var limit = options.Value.MaxBodyBytes;
        // One limit, ours: the worker's server would refuse a body declared over its own 30 MB before a byte
        // is read, with its own message; ours reads no more than the limit (and a rejection's sample) anyway.
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } serverLimit)
        {
            serverLimit.MaxRequestBodySize = null;
        }

        CallbackBody body;
        BadHttpRequestException? unreadable = null;
        try
        {
            body = await CallbackBody.ReadAsync(request, limit, cancellationToken);
        }
        catch (BadHttpRequestException e)
        {
            // Broken framing, a body sent too slowly: the server's own status (400, 408, 413).
            body = default;
            unreadable = e;
        }

        // Each refusal below is recorded: the caller passed authentication, so it may be PayEx.
        Task<ProblemHttpResult> RefuseAsync(int status, string reason, string title, string detail, CallbackShape? shape = null) =>
            RecordAsync(status, reason, title, null, () => TypedResults.Problem(statusCode: status, title: title, detail: detail, extensions: CallbackIdOf(id)), shape);

        async Task<T> RecordAsync<T>(int status, string reason, string title, IReadOnlyDictionary<string, string[]>? errors, Func<T> answer, CallbackShape? shape = null)
        {
            var client = ClientAddress.Of(context)?.ToString();
            if (errors is null)
            {
                LogRejected(logger, id, status, title, client);
            }
            else
            {
                LogRejectedAt(logger, id, status, title, string.Join(", ", errors.Keys), client);
            }
            Outcome(activity, CallbackOutcomes.Rejected, status);
            metrics.CallbackReceived(shape, CallbackOutcomes.Rejected);
            metrics.CallbackRejected(status, reason);
            recent.Record(id, null, CallbackOutcomes.Rejected, $"{status}: {title}", traceId: activity?.TraceId.ToString());
            await rejections.RecordAsync(
                new RejectedCallback
                {
                    Id = id,
                    ReceivedAt = receivedAt,
                    Status = status,
                    Reason = title,
                    Errors = errors,
                    ClientAddress = client,
                    ContentType = request.ContentType,
                    BodyLength = body.Length,
                    Body = body.Bytes,
                },
                cancellationToken);
            return answer();
        }

        if (unreadable is not null)
        {
            return await RefuseAsync(unreadable.StatusCode, CallbackRejections.Unreadable, "The callback body could not be read.", unreadable.Message);
        }

        if (!request.HasJsonContentType() || !IsUtf8(request.ContentType))
        {
            return await RefuseAsync(StatusCodes.Status415UnsupportedMediaType, CallbackRejections.MediaType, "The callback must be sent as application/json in UTF-8.", $"Content-Type was '{Shorten(request.ContentType)}'.");
        }

        if (body.TooLarge)
        {
            return await RefuseAsync(StatusCodes.Status413PayloadTooLarge, CallbackRejections.TooLarge, "The callback body is too large.", $"At most {limit} bytes are accepted.");
        }

        if (!parser.TryParse(body.Bytes, id, receivedAt, out var envelope, out var rejection))
        {
            return await RecordAsync(StatusCodes.Status400BadRequest, CallbackRejections.Invalid, rejection.Title, rejection.Errors,
                () => TypedResults.ValidationProblem(rejection.Errors, title: rejection.Title, extensions: CallbackIdOf(id)));
        }

        if (signedOrder is not null)
        {
            envelope = envelope with { SignedOrderReference = signedOrder, Version = 2 };
        }

        Describe(activity, envelope);
        var (traceParent, traceState) = CallbackTracing.Capture(activity);
        envelope = envelope with { TraceParent = traceParent, TraceState = traceState };
        try
        {
            // A storage that hangs rather than refuses gets the same answer as one that is down, and soon.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(storage.Value.AnswerTimeout);
            await queue.EnqueueAsync(envelope, deadline.Token);
        }
        catch (CallbackTooLargeException e)
        {
            return await RefuseAsync(StatusCodes.Status413PayloadTooLarge, CallbackRejections.TooLarge, "The callback body is too large.", e.Message, envelope.Shape);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Not stored, so not acknowledged: PayEx delivers again.
            LogQueueUnavailable(logger, e, envelope.Id);
            Outcome(activity, CallbackOutcomes.Unavailable, StatusCodes.Status503ServiceUnavailable);
            metrics.CallbackReceived(envelope.Shape, CallbackOutcomes.Unavailable);
            context.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The callback could not be stored; please deliver it again.", detail: "The callback queue is unavailable.");
        }

        using (logger.BeginScope(CallbackSubject.Properties(envelope)))
        {
            LogAcknowledged(logger, envelope.Id, envelope.Shape, CallbackSubject.Describe(envelope), ClientAddress.Of(context)?.ToString());
        }

        Outcome(activity, CallbackOutcomes.Acknowledged, StatusCodes.Status200OK);
        metrics.CallbackReceived(envelope.Shape, CallbackOutcomes.Acknowledged);
        recent.Record(envelope.Id, envelope, CallbackOutcomes.Acknowledged, traceId: activity?.TraceId.ToString());
        return TypedResults.Ok(new AcknowledgeResponse(envelope.Id));
    }

    private static void Describe(System.Diagnostics.Activity? activity, CallbackEnvelope envelope)
    {
        activity?.SetTag(TelemetryTags.CallbackShape, envelope.Shape.ToString())
            .SetTag(TelemetryTags.PaymentNumber, envelope.PaymentNumber)
            .SetTag(TelemetryTags.TransactionNumber, envelope.TransactionNumber)
            .SetTag(TelemetryTags.PaymentOrderNumber, envelope.PaymentOrderNumber);
    }

    private static void Outcome(System.Diagnostics.Activity? activity, string outcome, int status)
    {
        activity?.SetTag(TelemetryTags.CallbackOutcome, outcome).SetTag(TelemetryTags.StatusCode, status);
        if (status >= 500)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
        }
    }

    // JSON on the wire is UTF-8 (RFC 8259); a body declared otherwise would be misread.
    private static bool IsUtf8(string? contentType) =>
        !MediaTypeHeaderValue.TryParse(contentType, out var type)
        || !type.Charset.HasValue
        || HeaderUtilities.RemoveQuotes(type.Charset).Equals("utf-8", StringComparison.OrdinalIgnoreCase)
        || HeaderUtilities.RemoveQuotes(type.Charset).Equals("utf8", StringComparison.OrdinalIgnoreCase);

    private static string? Shorten(string? value) => value is { Length: > 100 } ? value[..100] + "..." : value;

    private static Dictionary<string, object?> CallbackIdOf(string id) => new() { ["callbackId"] = id };

    // The address is what Access__AllowedNetworks would be checked against: how to see it before turning the check on.
    // The numbers are the scope's properties (only those the callback has); {Subject} names them in words.
    [LoggerMessage(Level = LogLevel.Information, Message = "Acknowledged callback {CallbackId} ({Shape}) for {Subject}, from {ClientAddress}")]
    private static partial void LogAcknowledged(ILogger logger, string callbackId, CallbackShape shape, string subject, string? clientAddress);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected callback {CallbackId} from {ClientAddress} with {Status}: {Title} Recorded in the rejected-callbacks table.")]
    private static partial void LogRejected(ILogger logger, string callbackId, int status, string title, string? clientAddress);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected callback {CallbackId} from {ClientAddress} with {Status}: {Title} In error: {Members}. Recorded in the rejected-callbacks table.")]
    private static partial void LogRejectedAt(ILogger logger, string callbackId, int status, string title, string members, string? clientAddress);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not enqueue callback {CallbackId}; answered 503 so that PayEx delivers again")]
    private static partial void LogQueueUnavailable(ILogger logger, Exception exception, string callbackId);
}

/// <summary>The acknowledge answer: the id the callback is known by in logs and storage.</summary>
public sealed record AcknowledgeResponse(string Id);
