using Microsoft.AspNetCore.Http.HttpResults;
using System.Globalization;
using System.Text.RegularExpressions;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.DeadLetters;

/// <summary>
/// What the admin functions do with the dead letters: list, read, discard, replay one, replay all.
/// Answers are JSON, refusals RFC 7807 problem+json; storage unavailable is 503 (<see cref="StorageFailure"/>,
/// as on the status page) and changes nothing.
/// </summary>
public sealed partial class DeadLetterAdmin(DeadLetterTable deadLetters, PoisonQueueCount poison, DeadLetterReplay replay, DeadLetterDiscard discard)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 100;

    public async Task<IResult> ListAsync(IQueryCollection query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var top = DefaultPageSize;
        if (query["top"] is { Count: > 0 } given
            && (given.Count > 1 || !int.TryParse(given[0], NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > MaxPageSize))
        {
            return BadRequest($"top must be a number between 1 and {MaxPageSize}.");
        }

        string? tableContinuation = null;
        if (query["continuation"] is { Count: > 0 } continuation
            && (continuation.Count > 1 || !ContinuationToken.TryRead(continuation[0] ?? "", out tableContinuation)))
        {
            return BadRequest("continuation must be a token from an earlier page, as it was given.");
        }

        try
        {
            var (items, next) = await deadLetters.ListAsync(top, tableContinuation, cancellationToken);
            return TypedResults.Ok(new DeadLetterPage(items, ContinuationToken.Write(next), await PoisonedAsync(cancellationToken)));
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return StorageFailure.Problem();
        }
    }

    public async Task<IResult> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!IsDeadLetterId(id))
        {
            return BadRequest("The id is not a dead letter id.");
        }

        try
        {
            return await deadLetters.GetAsync(id, cancellationToken) is { } found ? TypedResults.Ok(found.DeadLetter) : NotFound(id);
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return StorageFailure.Problem();
        }
    }

    /// <param name="clientAddress">Who asked, for the log line.</param>
    public async Task<IResult> DiscardAsync(string id, string? clientAddress, CancellationToken cancellationToken)
    {
        if (!IsDeadLetterId(id))
        {
            return BadRequest("The id is not a dead letter id.");
        }

        try
        {
            return await discard.DiscardAsync(id, null, "admin API", clientAddress, cancellationToken) is not null
                ? TypedResults.NoContent()
                : NotFound(id);
        }
        catch (DeadLetterReplayInProgressException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The dead letter is being replayed.", detail: e.Message);
        }
        catch (DeadLetterChangedException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The dead letter changed while it was being discarded.", detail: e.Message);
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return StorageFailure.Problem();
        }
    }

    public async Task<IResult> ReplayAsync(string id, CancellationToken cancellationToken)
    {
        if (!IsDeadLetterId(id))
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
        catch (DeadLetterReplayInProgressException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The dead letter is being replayed.", detail: e.Message);
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return StorageFailure.Problem();
        }
    }

    public async Task<IResult> ReplayAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await replay.ReplayAllAsync(cancellationToken));
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            // Part-way: what was replayed stays replayed, the rest stays dead-lettered.
            return StorageFailure.Problem();
        }
    }

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.", detail: detail);

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such dead letter.", detail: $"There is no dead letter {id}.");

    // The dead letters are listed all the same: the count is null when the queues cannot be read.
    private async Task<int?> PoisonedAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await poison.CountAsync(cancellationToken);
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="id"/> can name a dead letter (checked before it reaches a table query).</summary>
    public static bool IsDeadLetterId(string? id) => id is not null && ValidId().IsMatch(id);

    // Callback ids are 32 hex digits; unreadable messages are message-{queue message id}.
    [GeneratedRegex("^[A-Za-z0-9-]{1,128}$")]
    private static partial Regex ValidId();
}
