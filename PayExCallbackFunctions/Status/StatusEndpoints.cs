using Microsoft.AspNetCore.Http.HttpResults;
using PayExCallbackFunctions.Access;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Telemetry;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// The operator's status page (the function PayExStatus): lag, recent callbacks, dead letters, and
/// the page's Replay buttons. Under the Functions host, one function answers all of these
/// (<c>payex/status/{*rest}</c>, get and post) after checking the master key.
/// </summary>
public static class StatusEndpoints
{
    public const string Route = "/api/payex/status";

    private const string HtmlContentType = "text/html; charset=utf-8";

    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder app, bool standalone)
    {
        // The headers first, so that every answer carries them, a refused key's too. No antiforgery
        // token: the admin key in the form's URL is what a forger cannot have.
        var group = app.MapGroup(Route).DisableAntiforgery().AddEndpointFilter(StatusSecurity.AddHeaders);
        if (standalone)
        {
            group.AddFunctionKey(KeyLevel.Admin);
        }

        group.MapGet("/", PageAsync).WithName("PayExStatus");
        var buttons = group.MapGroup("/deadletters").AddEndpointFilter(StatusSecurity.RefuseCrossSite);
        buttons.MapPost("/{id}/replay", ReplayAsync).WithName("PayExStatusReplay");
        buttons.MapPost("/replay", ReplayAllAsync).WithName("PayExStatusReplayAll");
        return app;
    }

    private static async Task<ContentHttpResult> PageAsync(
        HttpRequest request, QueueBacklog backlog, RecentCallbacks recent, DeadLetterTable deadLetters, TimeProvider time, CancellationToken cancellationToken)
    {
        var snapshot = await StatusSnapshot.GatherAsync(backlog, recent, deadLetters, time, cancellationToken);
        return Page(StatusCodes.Status200OK, StatusPage.Render(snapshot, StatusNotice.From(request.Query), StatusLinks.For(request)));
    }

    private static async Task<Results<SeeOtherHttpResult, ContentHttpResult>> ReplayAsync(
        string id, HttpRequest request, DeadLetterReplay replay, CancellationToken cancellationToken)
    {
        var links = StatusLinks.For(request);
        if (!DeadLetterEndpoints.IsDeadLetterId(id))
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
        catch (Exception e) when (StatusSnapshot.IsStorageFailure(e, cancellationToken))
        {
            return Unavailable(links);
        }
    }

    private static async Task<Results<SeeOtherHttpResult, ContentHttpResult>> ReplayAllAsync(HttpRequest request, DeadLetterReplay replay, CancellationToken cancellationToken)
    {
        var links = StatusLinks.For(request);
        try
        {
            return new SeeOtherHttpResult(links.Page(StatusNotice.Of(await replay.ReplayAllAsync(cancellationToken))));
        }
        catch (Exception e) when (StatusSnapshot.IsStorageFailure(e, cancellationToken))
        {
            return Unavailable(links);
        }
    }

    // Part-way through a replay all, what was replayed stays replayed and the rest stays dead-lettered.
    private static ContentHttpResult Unavailable(StatusLinks links) =>
        Message(StatusCodes.Status503ServiceUnavailable, "Storage is unavailable", "Nothing was lost; try again.", links);

    private static ContentHttpResult Message(int status, string title, string detail, StatusLinks links) =>
        Page(status, StatusPage.RenderMessage(title, detail, links));

    private static ContentHttpResult Page(int status, Html html) => TypedResults.Content(html.ToString(), HtmlContentType, statusCode: status);
}
