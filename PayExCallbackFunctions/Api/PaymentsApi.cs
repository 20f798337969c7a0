using Microsoft.Extensions.Options;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Payments;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Tracking;

namespace PayExCallbackFunctions.Api;

/// <summary>
/// The payments API for the order system (function PayExPayments, a key of its own):
/// <c>GET payments/{id}</c>, <c>GET payments?orderReference=</c> or <c>?payeeReference=</c>,
/// <c>POST payments/{id}/refresh</c>, <c>POST payments</c> (register for tracking) and <c>DELETE payments/{id}</c>
/// (stop tracking). Refusals are RFC 7807 problem+json and change nothing; storage unavailable is 503 with Retry-After.
/// </summary>
public sealed class PaymentsApi(
    PaymentLookup lookup,
    PaymentRefresh refresh,
    PaymentRegistration registration,
    IOptions<TrackingOptions> tracking,
    IOptions<PayExOptions> payEx,
    TimeProvider time)
{
    private const string RefreshSegment = "refresh";

    /// <summary>A registration is a few hundred bytes; anything much larger is not one.</summary>
    private const int MaxRegistrationBytes = 4096;

    public async Task<IResult> HandleAsync(HttpRequest request, string? rest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var segments = (rest ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            return (request.Method, segments) switch
            {
                ("GET", []) => await SearchAsync(request.Query, cancellationToken),
                ("GET", [var id]) => await GetAsync(id, cancellationToken),
                ("POST", [var id, RefreshSegment]) => await RefreshAsync(id, cancellationToken),
                ("POST", []) => await RegisterAsync(request, cancellationToken),
                ("DELETE", [var id]) => await StopAsync(id, cancellationToken),
                _ => TypedResults.Problem(
                    statusCode: StatusCodes.Status404NotFound,
                    title: "No such resource.",
                    detail: "The payments API has GET payments/{id}, GET payments?orderReference= or ?payeeReference=, POST payments/{id}/refresh, POST payments and DELETE payments/{id}."),
            };
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return StorageFailure.Problem();
        }
    }

    private async Task<IResult> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!TryReadId(id, out var guid))
        {
            return NotAnId();
        }

        return await lookup.FindAsync(guid, cancellationToken) switch
        {
            { Status: { } status } found => TypedResults.Ok(Document(found.Key, status)),
            { } => NotFound(guid, "It was stored before payments had a status: POST payments/{id}/refresh gives it one."),
            null => NotFound(guid, null),
        };
    }

    private async Task<IResult> SearchAsync(IQueryCollection query, CancellationToken cancellationToken)
    {
        var given = new[] { PaymentReference.OrderReferenceKind, PaymentReference.PayeeReferenceKind }
            .Where(query.ContainsKey)
            .ToArray();
        if (given.Length != 1 || query[given[0]].Count != 1)
        {
            return BadRequest("Give exactly one of orderReference and payeeReference, once.");
        }

        var value = query[given[0]][0];
        if (!PaymentReference.IsValid(value))
        {
            return BadRequest($"{given[0]} must be 1-{PaymentReference.MaxLength} characters, none of them control characters, as PayEx allows.");
        }

        var reference = new PaymentReference(given[0], value!);
        var found = await lookup.FindAsync(reference, cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(new PaymentList(found.Select(p => Document(p.Key, p.Status!)).ToArray()));
    }

    private async Task<IResult> RefreshAsync(string id, CancellationToken cancellationToken)
    {
        if (!TryReadId(id, out var guid))
        {
            return NotAnId();
        }

        if (await lookup.FindAsync(guid, cancellationToken) is not { } stored)
        {
            return NotFound(guid, "Only a payment the app has stored can be refreshed.");
        }

        var outcome = await refresh.RefreshAsync(stored, cancellationToken);
        var status = await lookup.StatusAsync(stored.Key, cancellationToken);
        if (status is null)
        {
            // Stored before statuses, and PayEx could not be asked: there is nothing to answer with yet.
            return StorageFailure.WithRetryAfter(TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The payment has no status yet.",
                detail: outcome.Detail ?? "Try again."));
        }

        return TypedResults.Ok(Document(stored.Key, status) with { Refresh = outcome });
    }

    private async Task<IResult> RegisterAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var read = await RegistrationRequest.ReadAsync(request, MaxRegistrationBytes, payEx.Value.BaseUrl!, cancellationToken);
        if (read.Error is { } error)
        {
            return BadRequest(error);
        }

        var registered = await registration.RegisterAsync(read.Path!, read.OrderReference, cancellationToken);
        var document = Document(registered.Key, registered.Status);
        return registered.Begun
            ? TypedResults.Created($"/api/payments/{registered.Key:D}", document)
            : TypedResults.Ok(document);
    }

    private async Task<IResult> StopAsync(string id, CancellationToken cancellationToken)
    {
        if (!TryReadId(id, out var guid))
        {
            return NotAnId();
        }

        return await registration.StopAsync(guid, cancellationToken) is { } stopped
            ? TypedResults.Ok(Document(stopped.Key, stopped.Status))
            : NotFound(guid, "Only a payment the app has stored can be stopped from being tracked.");
    }

    private PaymentDocument Document(Guid key, StatusRow status) => PaymentDocument.From(key, status, time.GetUtcNow(), tracking.Value);

    // Only the form PayEx's ids have: 36 characters with hyphens.
    private static bool TryReadId(string id, out Guid guid) => Guid.TryParseExact(id, "D", out guid);

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotAnId() =>
        BadRequest("The id must be the GUID of a payment order or payment, such as 5adc265f-f87f-4313-577e-08d3dca1a26c.");

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.", detail: detail);

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotFound(Guid id, string? more) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such payment.", detail: $"No payment {id:D} is stored.{(more is null ? "" : " " + more)}");
}
