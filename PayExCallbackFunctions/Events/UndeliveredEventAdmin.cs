using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Events;

/// <summary>
/// What the admin functions do with undelivered events: list them (with the sinks and how many payments wait to retry),
/// replay one (pending again for its sink, delivered now, retried on the schedule if it fails again), discard one (the
/// event row keeps that it was never delivered). Refusals RFC 7807 problem+json; storage unavailable is 503.
/// </summary>
public sealed partial class UndeliveredEventAdmin(UndeliveredEvents undelivered, PendingEvents pending, EventSinks sinks, EventReplay replay)
{
    public const int MaxListed = 200;

    public async Task<IResult> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await ReadAsync(cancellationToken));
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return StorageFailure.Problem();
        }
    }

    /// <summary>The sinks with their counts, the payments marked, and the undelivered events (the status page shows the same).</summary>
    public async Task<UndeliveredPage> ReadAsync(CancellationToken cancellationToken)
    {
        var marks = await pending.AllAsync(cancellationToken);
        var items = await undelivered.ListAsync(MaxListed, cancellationToken);
        var views = sinks.All
            .Select(s => new SinkView(s.Key, s.Description, marks.Count(m => m.Waiting.Contains(s.Key)), items.Count(i => i.Sink == s.Key)))
            .ToList();
        return new UndeliveredPage(views, marks.Count, items.Select(i => new UndeliveredView(i, sinks.Find(i.Sink)?.Description)).ToList());
    }

    public async Task<IResult> ReplayAsync(string id, CancellationToken cancellationToken)
    {
        if (!IsId(id))
        {
            return BadRequest();
        }

        try
        {
            return await TryReplayAsync(id, cancellationToken) switch
            {
                EventReplayAttempt.Replayed replayed => TypedResults.Ok(replayed.Result),
                EventReplayAttempt.SinkNotConfigured => NotConfigured(),
                _ => NotFound(id),
            };
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return StorageFailure.Problem();
        }
    }

    public async Task<EventReplayAttempt> TryReplayAsync(string id, CancellationToken cancellationToken)
    {
        if (await undelivered.FindAsync(id, cancellationToken) is not { } found)
        {
            return new EventReplayAttempt.NotFound();
        }

        return sinks.Find(found.Sink) is null
            ? new EventReplayAttempt.SinkNotConfigured()
            : new EventReplayAttempt.Replayed(await replay.ReplayAsync(found, cancellationToken));
    }

    /// <summary>False: no such undelivered event.</summary>
    public async Task<bool> TryDiscardAsync(string id, CancellationToken cancellationToken)
    {
        if (await undelivered.FindAsync(id, cancellationToken) is null)
        {
            return false;
        }

        await undelivered.RemoveAsync(id, cancellationToken);
        return true;
    }

    public async Task<IResult> DiscardAsync(string id, CancellationToken cancellationToken)
    {
        if (!IsId(id))
        {
            return BadRequest();
        }

        try
        {
            return await TryDiscardAsync(id, cancellationToken) ? TypedResults.NoContent() : NotFound(id);
        }
        catch (Exception e) when (StorageFailure.IsUnavailable(e, cancellationToken))
        {
            return StorageFailure.Problem();
        }
    }

    public static bool IsId(string? id) => id is not null && UndeliveredId().IsMatch(id);

    [GeneratedRegex(@"^[A-Za-z0-9]{1,20}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-v[0-9]{1,19}$")]
    private static partial Regex UndeliveredId();

    private static ProblemHttpResult BadRequest() =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.", detail: "The id is not an undelivered event's id (<sink>.<payment>-v<version>, as listed).");

    private static ProblemHttpResult NotConfigured() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The sink is not configured.", detail: "The event's sink is not configured now: configure it again (same index), or discard the event.");

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such undelivered event.", detail: $"There is no undelivered event {id}.");
}

/// <summary>A sink as the operator sees it: payments waiting to retry there, events undelivered there.</summary>
public sealed record SinkView(string Sink, string Description, int Waiting, int Undelivered);

public sealed record UndeliveredView(string Id, string Sink, string? Endpoint, string EventId, Guid Payment, long Version, string Type, int Attempts, string Error, DateTimeOffset RecordedAt, DateTimeOffset UndeliveredAt)
{
    public UndeliveredView(UndeliveredEvent e, string? endpoint)
        : this(e.Id, e.Sink, endpoint, e.EventId, e.Payment, e.Version, e.Type, e.Attempts, e.Error, e.RecordedAt, e.UndeliveredAt)
    {
    }
}

/// <summary>The sinks, the payments marked for the relay (<c>Marked</c>: a delivery under way or cut off, a replay, or a sink waiting to retry), and the undelivered events (200 at most).</summary>
public sealed record UndeliveredPage(IReadOnlyList<SinkView> Sinks, int Marked, IReadOnlyList<UndeliveredView> Undelivered);

/// <summary>What asking to replay an undelivered event came to; only <see cref="Replayed"/> changed anything.</summary>
public abstract record EventReplayAttempt
{
    private EventReplayAttempt()
    {
    }

    public sealed record NotFound : EventReplayAttempt;

    /// <summary>The event's sink is not configured now.</summary>
    public sealed record SinkNotConfigured : EventReplayAttempt;

    public sealed record Replayed(EventReplayResult Result) : EventReplayAttempt;
}

/// <summary>A replay: whether the event went now, or waits for its sink's next attempt.</summary>
public sealed record EventReplayResult(string Id, bool Delivered, DateTimeOffset? RetryAt);
