using System.Diagnostics;
using OpenTelemetry.Trace;

namespace PayExCallbackFunctions.Telemetry;

/// <summary>
/// Drops outgoing calls that belong to no operation: the queue listener's polls, the samplers' and
/// the start-up's storage calls. Each would otherwise be a trace of its own, many a minute. Calls
/// made for a callback have a parent and follow it.
/// </summary>
public sealed class UnparentedCallSampler : Sampler
{
    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind == ActivityKind.Client ? new SamplingResult(SamplingDecision.Drop) : new SamplingResult(SamplingDecision.RecordAndSample);
}
