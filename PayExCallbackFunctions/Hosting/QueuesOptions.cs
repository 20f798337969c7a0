using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Hosting;

/// <summary>
/// What the app must know of the queue trigger's settings in host.json's <c>extensions.queues</c>: that the
/// trigger hands messages over as they are (the app decodes them, see <c>Storage.QueueMessageText</c>), and after
/// how many deliveries the trigger gives up on one.
/// </summary>
public sealed class QueuesOptions
{
    public const string Section = "extensions:queues";

    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>Must be <c>none</c> (the host's default is <c>base64</c>).</summary>
    public string MessageEncoding { get; set; } = "none";
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

        if (!string.Equals(options.MessageEncoding, "none", StringComparison.OrdinalIgnoreCase))
        {
            // With base64 the host cannot hand a message that is not base64 to any function: it would stay in the poison queue.
            failures.Add($"host.json extensions.queues.messageEncoding (AzureFunctionsJobHost__extensions__queues__messageEncoding) is '{options.MessageEncoding}' and must be none: the app decodes its base64 messages itself, so that a message that is not base64 still becomes a dead letter.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
