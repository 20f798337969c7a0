namespace PayExCallbackFunctions.Hosting;

/// <summary>The Functions host names each invocation it sends a custom handler; its own telemetry carries the same id.</summary>
public static class FunctionsInvocation
{
    public const string IdHeader = "X-Azure-Functions-InvocationId";

    /// <summary>The invocation id, when the host sent one (standalone, PayEx's requests carry none to trust, but an id is harmless).</summary>
    public static string? IdOf(HttpRequest request) =>
        request.Headers[IdHeader] is [{ Length: > 0 and <= 64 } id] ? id : null;
}
