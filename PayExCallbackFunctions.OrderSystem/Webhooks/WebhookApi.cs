using Microsoft.AspNetCore.Http.HttpResults;
using PayExCallbackFunctions.OrderSystem.Events;
using PayExCallbackFunctions.OrderSystem.Orders;

namespace PayExCallbackFunctions.OrderSystem.Webhooks;

/// <summary>
/// <c>POST /webhooks/payex</c>: a payment event signed as Standard Webhooks. Verified, it is applied and answered 204,
/// also when it is a duplicate or stale (so that the sender stops retrying); refused, 401 and nothing applied.
/// </summary>
public static class WebhookApi
{
    /// <summary>The largest body read; an event is a few KiB.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapPayExWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/webhooks/payex", ReceiveAsync);
        return app;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request, WebhookVerifier verifier, OrderBook orders, ILogger<WebhookVerifier> logger, CancellationToken cancellationToken)
    {
        if (await ReadBoundedAsync(request, cancellationToken) is not { } body)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"An event is at most {MaxBodyBytes} bytes.");
        }

        var headers = request.Headers;
        if (verifier.Refusal(headers[WebhookVerifier.IdHeader], headers[WebhookVerifier.TimestampHeader], headers[WebhookVerifier.SignatureHeader], body) is { } refusal)
        {
            // Why, and the id; never the signatures or the secrets.
            logger.LogWarning("Webhook {WebhookId} refused: {Refusal}", headers[WebhookVerifier.IdHeader].ToString(), refusal);
            return Problem(StatusCodes.Status401Unauthorized, "Signature not verified", refusal);
        }

        if (request.ContentType is not { } type
            || !(type.StartsWith("application/cloudevents+json", StringComparison.OrdinalIgnoreCase) || type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Not a JSON event", "Content-Type must be application/cloudevents+json or application/json.");
        }

        if (PaymentEvents.Parse(body, out var problem) is not { } e)
        {
            logger.LogWarning("Webhook {WebhookId} is not an event to apply: {Problem}", headers[WebhookVerifier.IdHeader].ToString(), problem);
            return Problem(StatusCodes.Status400BadRequest, "Not a payment event", problem!);
        }

        await orders.ApplyAsync(e, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The body, or null if it is longer than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + read > MaxBodyBytes)
            {
                return null;
            }

            body.Write(buffer, 0, read);
        }

        return body.ToArray();
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
