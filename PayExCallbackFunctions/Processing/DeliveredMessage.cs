using System.Diagnostics;

namespace PayExCallbackFunctions.Processing;

/// <summary>
/// A queue message as the host's trigger delivered it: its text, id and delivery count, and the
/// invocation it came in (its id and trace context, which the callback's own trace links to).
/// </summary>
public sealed record DeliveredMessage(string Text, string MessageId, long DequeueCount, string? InvocationId = null, ActivityContext Invocation = default);
