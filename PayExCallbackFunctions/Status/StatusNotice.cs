using System.Globalization;
using PayExCallbackFunctions.DeadLetters;

namespace PayExCallbackFunctions.Status;

public enum StatusNoticeKind
{
    /// <summary>One dead letter is back on the callback queue.</summary>
    Replayed,

    /// <summary>One is back on the queue, but its dead letter changed meanwhile (it failed again) and stays.</summary>
    ReplayedKept,

    /// <summary>Replay all went through the dead letters.</summary>
    ReplayedAll,

    /// <summary>One dead letter was discarded.</summary>
    Discarded,

    /// <summary>An undelivered event was sent to its sink again (delivered, or waiting for its next attempt).</summary>
    EventReplayed,

    /// <summary>An undelivered event was discarded.</summary>
    EventDiscarded,
}

/// <summary>
/// What a button did, carried through the redirect back to the page as query parameters. A fixed
/// set of sentences with values filled in, not free text: a link cannot make the page say anything else.
/// </summary>
public sealed record StatusNotice(StatusNoticeKind Kind, string? Id = null, int Count = 0, int Failed = 0, bool More = false)
{
    private const string NoticeParameter = "notice";

    public static StatusNotice Of(ReplayResult result) =>
        new(result.Removed ? StatusNoticeKind.Replayed : StatusNoticeKind.ReplayedKept, result.Id);

    public static StatusNotice Of(ReplayAllResult result) =>
        new(StatusNoticeKind.ReplayedAll, Count: result.Replayed, Failed: result.Failed.Count, More: result.More);

    /// <summary>Null when there is no notice, or it is not one this page knows.</summary>
    public static StatusNotice? From(IQueryCollection query)
    {
        if (!Enum.TryParse<StatusNoticeKind>(query[NoticeParameter].FirstOrDefault(), ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
        {
            return null;
        }

        return new StatusNotice(
            kind,
            query["id"].FirstOrDefault(),
            Number(query["count"].FirstOrDefault()),
            Number(query["failed"].FirstOrDefault()),
            string.Equals(query["more"].FirstOrDefault(), "true", StringComparison.OrdinalIgnoreCase));
    }

    public IEnumerable<KeyValuePair<string, string?>> ToQuery()
    {
        yield return new(NoticeParameter, Kind.ToString());
        if (Kind == StatusNoticeKind.ReplayedAll)
        {
            yield return new("count", Count.ToString(CultureInfo.InvariantCulture));
            yield return new("failed", Failed.ToString(CultureInfo.InvariantCulture));
            yield return new("more", More ? "true" : "false");
        }
        else
        {
            yield return new("id", Id);
        }
    }

    private static int Number(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : 0;
}
