using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Events;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// The operator's status page (the function PayExStatus, <c>payex/status/{*rest}</c>, get and post):
/// the page itself, and the posts of its Replay and Discard buttons.
/// </summary>
public sealed class StatusPageRequests(
    QueueBacklog backlog, RecentCallbacks recent, DeadLetterTable deadLetters, RejectedToday rejected, StatusPayments payments, UndeliveredEventAdmin events, DeadLetterReplay replay, DeadLetterDiscard discard, TimeProvider time, IOptions<StorageOptions> storage)
{
    public const string Route = "/api/payex/status";

    private const string HtmlContentType = "text/html; charset=utf-8";
    private const string ReplayAllPath = "deadletters/replay";
    private const string ReplaySuffix = "/replay";
    private const string DiscardSuffix = "/discard";
    private const string EventsPrefix = "events/";

    /// <summary>The form field of the discard's confirm page that says the operator confirmed it, and the one with the version they saw.</summary>
    public const string ConfirmField = "confirm";
    public const string SeenField = "seen";

    /// <param name="rest">The path after <see cref="Route"/>: empty for the page; <c>deadletters/{id}/replay</c>, <c>deadletters/{id}/discard</c> or <c>deadletters/replay</c> for a button.</param>
    public async Task<IResult> HandleAsync(HttpRequest request, string? rest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // On every answer, a refusal's too.
        StatusSecurity.AddHeaders(request.HttpContext.Response);
        var links = StatusLinks.For(request);
        var path = (rest ?? "").Trim('/');
        if (path.Length == 0)
        {
            return HttpMethods.IsGet(request.Method)
                ? await PageAsync(request, links, cancellationToken)
                : Message(StatusCodes.Status405MethodNotAllowed, "Not here", "The page is read with GET; its buttons post to their own addresses.", links);
        }

        if (path.StartsWith(EventsPrefix, StringComparison.Ordinal) && HttpMethods.IsPost(request.Method))
        {
            return StatusSecurity.RefuseCrossSite(request) ?? await EventAsync(path[EventsPrefix.Length..], links, cancellationToken);
        }

        var isDiscard = path.EndsWith(DiscardSuffix, StringComparison.Ordinal) && path != "deadletters/discard";
        if (!HttpMethods.IsPost(request.Method) || !path.StartsWith("deadletters/", StringComparison.Ordinal) || !(isDiscard || path.EndsWith(ReplaySuffix, StringComparison.Ordinal)))
        {
            return Message(StatusCodes.Status404NotFound, "No such page", "The status page has no such address.", links);
        }

        // No antiforgery token: the admin key in the form's URL is what a forger cannot have.
        if (StatusSecurity.RefuseCrossSite(request) is { } refused)
        {
            return refused;
        }

        if (isDiscard)
        {
            return await DiscardAsync(request, path["deadletters/".Length..^DiscardSuffix.Length], links, cancellationToken);
        }

        return path == ReplayAllPath
            ? await ReplayAllAsync(links, cancellationToken)
            : await ReplayAsync(path["deadletters/".Length..^ReplaySuffix.Length], links, cancellationToken);
    }

    // The row's Discard button posts without the confirmation: the answer is a page showing what would be
    // lost, whose own button posts it again with the confirmation and the version shown (no script needed).
    private async Task<IResult> DiscardAsync(HttpRequest request, string id, StatusLinks links, CancellationToken cancellationToken)
    {
        if (!DeadLetterAdmin.IsDeadLetterId(id))
        {
            return Message(StatusCodes.Status400BadRequest, "Not a dead letter id", $"“{id}” is not a dead letter id.", links);
        }

        IFormCollection? form;
        try
        {
            form = request.HasFormContentType ? await request.ReadFormAsync(cancellationToken) : null;
        }
        catch (InvalidDataException)
        {
            return Message(StatusCodes.Status400BadRequest, "Not a form", "The post is not a form this page sent.", links);
        }

        var gone = Message(StatusCodes.Status404NotFound, "No such dead letter", $"There is no dead letter {id}: it may have been replayed or discarded already.", links);
        try
        {
            if (form?[ConfirmField].ToString() != "yes")
            {
                if (await deadLetters.GetAsync(id, cancellationToken) is not { } found)
                {
                    return gone;
                }

                return found.DeadLetter.IsBeingReplayed(time.GetUtcNow())
                    ? BeingReplayed($"Dead letter {id} is being replayed (since {found.DeadLetter.ReplayClaimedAt:u}); it cannot be discarded now. Look again once the replay is done.", links)
                    : Page(StatusCodes.Status200OK, StatusPage.RenderDiscard(found.DeadLetter, found.ETag.ToString(), links));
            }

            var seen = form[SeenField].ToString() is { Length: > 0 } shown ? new Azure.ETag(shown) : (Azure.ETag?)null;
            return await discard.DiscardAsync(id, seen, "status page", Access.ClientAddress.Of(request.HttpContext)?.ToString(), cancellationToken) is not null
                ? new SeeOtherHttpResult(links.Page(new StatusNotice(StatusNoticeKind.Discarded, id)))
                : gone;
        }
        catch (DeadLetterReplayInProgressException e)
        {
            return BeingReplayed(e.Message, links);
        }
        catch (DeadLetterChangedException e)
        {
            return Message(StatusCodes.Status409Conflict, "The dead letter changed", e.Message, links);
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return Unavailable(links);
        }
    }

    private static ContentHttpResult BeingReplayed(string detail, StatusLinks links) =>
        Message(StatusCodes.Status409Conflict, "The dead letter is being replayed", detail, links);

    private async Task<IResult> PageAsync(HttpRequest request, StatusLinks links, CancellationToken cancellationToken)
    {
        // A reference PayEx could not have: said, and nothing looked up.
        var (search, refusal) = OrderReferenceSearch.From(request.Query);
        if (refusal is not null)
        {
            return Message(StatusCodes.Status400BadRequest, "Not an order reference", refusal, links);
        }

        var snapshot = await StatusSnapshot.GatherAsync(backlog, recent, deadLetters, rejected, payments, events, search, time, storage.Value.AnswerTimeout, cancellationToken);
        return Page(StatusCodes.Status200OK, StatusPage.Render(snapshot, StatusNotice.From(request.Query), links, RecentFilter.From(request.Query)));
    }

    private async Task<IResult> ReplayAsync(string id, StatusLinks links, CancellationToken cancellationToken)
    {
        if (!DeadLetterAdmin.IsDeadLetterId(id))
        {
            return Message(StatusCodes.Status400BadRequest, "Not a dead letter id", $"“{id}” is not a dead letter id.", links);
        }

        try
        {
            return await replay.ReplayAsync(id, cancellationToken) is { } result
                ? new SeeOtherHttpResult(links.Page(StatusNotice.Of(result)))
                : Message(StatusCodes.Status404NotFound, "No such dead letter", $"There is no dead letter {id}: it may have been replayed or discarded already.", links);
        }
        catch (DeadLetterNotReplayableException e)
        {
            return Message(StatusCodes.Status422UnprocessableEntity, "The dead letter cannot be replayed", e.Message, links);
        }
        catch (DeadLetterReplayInProgressException e)
        {
            return BeingReplayed(e.Message, links);
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return Unavailable(links);
        }
    }

    // An undelivered event's Replay or Discard: events/{id}/replay, events/{id}/discard. Discarding loses nothing
    // (the event row stays), so it asks for no confirmation.
    private async Task<IResult> EventAsync(string path, StatusLinks links, CancellationToken cancellationToken)
    {
        var replaying = path.EndsWith(ReplaySuffix, StringComparison.Ordinal);
        var id = replaying ? path[..^ReplaySuffix.Length] : path.EndsWith(DiscardSuffix, StringComparison.Ordinal) ? path[..^DiscardSuffix.Length] : "";
        if (!UndeliveredEventAdmin.IsId(id))
        {
            return Message(StatusCodes.Status400BadRequest, "Not an undelivered event's id", "The address names no undelivered event.", links);
        }

        var gone = Message(StatusCodes.Status404NotFound, "No such undelivered event", $"There is no undelivered event {id}: it may have been replayed or discarded already.", links);
        try
        {
            if (!replaying)
            {
                return await events.TryDiscardAsync(id, cancellationToken) ? new SeeOtherHttpResult(links.Page(new StatusNotice(StatusNoticeKind.EventDiscarded, id))) : gone;
            }

            return await events.TryReplayAsync(id, cancellationToken) switch
            {
                EventReplayAttempt.NotFound => gone,
                EventReplayAttempt.SinkNotConfigured => Message(StatusCodes.Status409Conflict, "The sink is not configured", "The event's sink is not configured now: configure it again (same index), or discard the event.", links),
                _ => new SeeOtherHttpResult(links.Page(new StatusNotice(StatusNoticeKind.EventReplayed, id))),
            };
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return Unavailable(links);
        }
    }

    private async Task<IResult> ReplayAllAsync(StatusLinks links, CancellationToken cancellationToken)
    {
        try
        {
            return new SeeOtherHttpResult(links.Page(StatusNotice.Of(await replay.ReplayAllAsync(cancellationToken))));
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return Unavailable(links);
        }
    }

    // As the admin API answers (StorageFailure), as a page. Part-way through a replay all, what was replayed
    // stays replayed and the rest stays dead-lettered.
    private static IResult Unavailable(StatusLinks links) =>
        StorageFailure.WithRetryAfter(Message(StatusCodes.Status503ServiceUnavailable, StorageFailure.Title.TrimEnd('.'), StorageFailure.Detail, links));

    private static ContentHttpResult Message(int status, string title, string detail, StatusLinks links) =>
        Page(status, StatusPage.RenderMessage(title, detail, links));

    private static ContentHttpResult Page(int status, Html html) => TypedResults.Content(html.ToString(), HtmlContentType, statusCode: status);
}
