using System.Text.RegularExpressions;
using Azure;
using Microsoft.AspNetCore.Http.HttpResults;
using PayExCallbackFunctions.Access;

namespace PayExCallbackFunctions.DeadLetters;

/// <summary>The admin HTTP functions over the dead letters: list, read, discard, replay one, replay all.</summary>
public static partial class DeadLetterEndpoints
{
    public const string Route = "/api/payex/deadletters";

    public static IEndpointRouteBuilder MapDeadLetters(this IEndpointRouteBuilder app, bool standalone)
    {
        var group = app.MapGroup(Route).DisableAntiforgery();
        if (standalone)
        {
            group.AddFunctionKey(KeyLevel.Admin);
        }

        group.MapGet("/", ListAsync).WithName("PayExDeadLetters");
        group.MapGet("/{id}", GetAsync).WithName("PayExDeadLetter");
        group.MapDelete("/{id}", DiscardAsync).WithName("DiscardPayExDeadLetter");
        group.MapPost("/{id}/replay", ReplayAsync).WithName("ReplayPayExDeadLetter");
        group.MapPost("/replay", ReplayAllAsync).WithName("ReplayAllPayExDeadLetters");
        return app;
    }

    private static async Task<Results<Ok<DeadLetterPage>, ProblemHttpResult>> ListAsync(
        DeadLetterTable deadLetters, PoisonQueueCount poison, int? top, string? continuation, CancellationToken cancellationToken)
    {
        if (top is < 1 or > 100)
        {
            return BadRequest("top must be between 1 and 100.");
        }

        string? tableContinuation = null;
        if (continuation is not null && !ContinuationToken.TryRead(continuation, out tableContinuation))
        {
            return BadRequest("continuation must be a token from an earlier page, as it was given.");
        }

        try
        {
            var (items, next) = await deadLetters.ListAsync(top ?? 50, tableContinuation, cancellationToken);
            return TypedResults.Ok(new DeadLetterPage(items, ContinuationToken.Write(next), await poison.GetAsync(cancellationToken)));
        }
        catch (RequestFailedException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<Ok<DeadLetter>, ProblemHttpResult>> GetAsync(string id, DeadLetterTable deadLetters, CancellationToken cancellationToken)
    {
        if (!ValidId().IsMatch(id))
        {
            return BadRequest("The id is not a dead letter id.");
        }

        try
        {
            return await deadLetters.GetAsync(id, cancellationToken) is { } found ? TypedResults.Ok(found.DeadLetter) : NotFound(id);
        }
        catch (RequestFailedException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DiscardAsync(string id, DeadLetterTable deadLetters, CancellationToken cancellationToken)
    {
        if (!ValidId().IsMatch(id))
        {
            return BadRequest("The id is not a dead letter id.");
        }

        try
        {
            return await deadLetters.GetAsync(id, cancellationToken) is { } found && await deadLetters.DeleteAsync(id, found.ETag, cancellationToken)
                ? TypedResults.NoContent()
                : NotFound(id);
        }
        catch (RequestFailedException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<Ok<ReplayResult>, ProblemHttpResult>> ReplayAsync(string id, DeadLetterReplay replay, CancellationToken cancellationToken)
    {
        if (!ValidId().IsMatch(id))
        {
            return BadRequest("The id is not a dead letter id.");
        }

        try
        {
            return await replay.ReplayAsync(id, cancellationToken) is { } result ? TypedResults.Ok(result) : NotFound(id);
        }
        catch (DeadLetterNotReplayableException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The dead letter cannot be replayed.", detail: e.Message);
        }
        catch (RequestFailedException)
        {
            return Unavailable();
        }
    }

    private static async Task<Results<Ok<ReplayAllResult>, ProblemHttpResult>> ReplayAllAsync(DeadLetterReplay replay, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await replay.ReplayAllAsync(cancellationToken));
        }
        catch (RequestFailedException)
        {
            return Unavailable();
        }
    }

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.", detail: detail);

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such dead letter.", detail: $"There is no dead letter {id}.");

    // Storage failed (part-way for a replay: what was replayed stays replayed, the rest stays dead-lettered).
    private static ProblemHttpResult Unavailable() =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Storage is unavailable.", detail: "Nothing was lost; try again.");

    /// <summary>Whether <paramref name="id"/> can name a dead letter (checked before it reaches a table query).</summary>
    public static bool IsDeadLetterId(string id) => ValidId().IsMatch(id);

    // Callback ids are 32 hex digits; unreadable messages are message-{queue message id}.
    [GeneratedRegex("^[A-Za-z0-9-]{1,128}$")]
    private static partial Regex ValidId();
}
