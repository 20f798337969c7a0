using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Hosting;

/// <summary>
/// What the app must know of the queue trigger's settings in host.json's <c>extensions.queues</c>:
/// how messages are encoded, so that what it enqueues the trigger can read, and after how many
/// deliveries the trigger gives up on one.
/// </summary>
public sealed class QueuesOptions
{
    public const string Section = "extensions:queues";

    public int MaxDequeueCount { get; set; } = 5;

    /// <summary><c>base64</c> (the host's default) or <c>none</c>.</summary>
    public string MessageEncoding { get; set; } = "base64";

    public bool IsBase64 => string.Equals(MessageEncoding, "base64", StringComparison.OrdinalIgnoreCase);
}

public sealed class QueuesOptionsValidator : IValidateOptions<QueuesOptions>
{
    public ValidateOptionsResult Validate(string? name, QueuesOptions options)
    {
        var failures = new List<string>();
        if (options.MaxDequeueCount < 1)
        {
            failures.Add("host.json extensions.queues.maxDequeueCount must be at least 1.");
        }

        if (!options.IsBase64 && !string.Equals(options.MessageEncoding, "none", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add("host.json extensions.queues.messageEncoding must be base64 or none.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
