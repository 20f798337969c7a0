using System.Diagnostics;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.PayEx;

namespace PayExCallbackFunctions.Telemetry;

/// <summary>
/// The app's spans. One trace per callback: the acknowledge span's context travels in the queue
/// envelope, and every attempt to process the callback (retries and replays too) continues it.
/// </summary>
public static class CallbackTracing
{
    public const string SourceName = "PayExCallbackFunctions";

    public const string AcknowledgeSpan = "Acknowledge callback";
    public const string ProcessSpan = "Process callback";
    public const string PoisonSpan = "Dead-letter poisoned callback";
    public const string StoreSpan = "Store payment state";
    public const string PayExGetSpanPrefix = "PayEx GET ";

    public static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartAcknowledge(string callbackId)
    {
        var activity = Source.StartActivity(AcknowledgeSpan, ActivityKind.Producer);
        activity?.SetTag(TelemetryTags.CallbackId, callbackId);
        return activity;
    }

    /// <summary>
    /// Continues the callback's trace. <paramref name="invocation"/> is the context the request
    /// arrived in (the Functions host's invocation), linked so that host and handler telemetry join.
    /// </summary>
    public static Activity? StartProcess(CallbackEnvelope? envelope, ActivityContext invocation) => StartConsumer(ProcessSpan, envelope, invocation);

    /// <summary>The end of a callback the queue trigger gave up on: in its trace too, so that the trace shows how it ended.</summary>
    public static Activity? StartPoison(CallbackEnvelope? envelope, ActivityContext invocation) => StartConsumer(PoisonSpan, envelope, invocation);

    private static Activity? StartConsumer(string name, CallbackEnvelope? envelope, ActivityContext invocation)
    {
        var parent = TraceContextOf(envelope);
        ActivityLink[]? links = invocation != default && invocation != parent ? [new ActivityLink(invocation)] : null;
        var activity = Source.StartActivity(name, ActivityKind.Consumer, parent, links: links);
        if (activity is not null && envelope is not null)
        {
            activity.SetTag(TelemetryTags.CallbackId, envelope.Id);
            activity.SetTag(TelemetryTags.CallbackShape, envelope.Shape.ToString());
            activity.SetTag(TelemetryTags.CallbackAttempt, envelope.Attempt);
            activity.SetTag(TelemetryTags.PaymentNumber, envelope.PaymentNumber);
            activity.SetTag(TelemetryTags.TransactionNumber, envelope.TransactionNumber);
            activity.SetTag(TelemetryTags.PaymentOrderNumber, envelope.PaymentOrderNumber);
        }

        return activity;
    }

    public static Activity? StartPayExGet(PayExResourceKind kind)
    {
        var resource = TelemetryTags.ResourceName(kind);
        var activity = Source.StartActivity(PayExGetSpanPrefix + resource, ActivityKind.Internal);
        activity?.SetTag(TelemetryTags.PayExResource, resource);
        return activity;
    }

    public static Activity? StartStore(string partition)
    {
        var activity = Source.StartActivity(StoreSpan, ActivityKind.Internal);
        activity?.SetTag(TelemetryTags.Partition, partition);
        return activity;
    }

    /// <summary>The W3C trace context to carry in the envelope: the acknowledge span's, or whatever is current.</summary>
    public static (string? TraceParent, string? TraceState) Capture(Activity? activity)
    {
        activity ??= Activity.Current;
        return activity is { IdFormat: ActivityIdFormat.W3C } ? (activity.Id, activity.TraceStateString) : (null, null);
    }

    // A malformed context (the queue is not trusted more than the callback) starts a new trace.
    private static ActivityContext TraceContextOf(CallbackEnvelope? envelope) =>
        envelope?.TraceParent is { } traceParent && ActivityContext.TryParse(traceParent, envelope.TraceState, isRemote: true, out var context)
            ? context
            : default;
}
