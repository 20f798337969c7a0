using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Hosting;

/// <summary>
/// The queue trigger's settings, read from host.json's <c>extensions.queues</c> (overridable as the
/// Functions host allows, e.g. <c>AzureFunctionsJobHost__extensions__queues__batchSize</c>), so the
/// standalone listener behaves as the Functions host would.
/// </summary>
public sealed class QueuesOptions
{
    public const string Section = "extensions:queues";

    public int BatchSize { get; set; } = 16;

    /// <summary>Fetch more messages once this few are in flight; the host's default is half the batch.</summary>
    public int? NewBatchThreshold { get; set; }

    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a failed message stays invisible before it is tried again.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;

    public int MaxDequeueCount { get; set; } = 5;

    /// <summary><c>base64</c> (the host's default) or <c>none</c>.</summary>
    public string MessageEncoding { get; set; } = "base64";

    /// <summary>
    /// How long a message is hidden while it is processed (not a host.json setting: the host uses
    /// 10 minutes too). If the process dies, the message reappears after this.
    /// </summary>
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromMinutes(10);

    public bool IsBase64 => string.Equals(MessageEncoding, "base64", StringComparison.OrdinalIgnoreCase);

    public int EffectiveNewBatchThreshold => NewBatchThreshold ?? BatchSize / 2;
}

public sealed class QueuesOptionsValidator : IValidateOptions<QueuesOptions>
{
    public ValidateOptionsResult Validate(string? name, QueuesOptions options)
    {
        var failures = new List<string>();
        if (options.BatchSize is < 1 or > 32)
        {
            failures.Add("host.json extensions.queues.batchSize must be between 1 and 32.");
        }

        if (options.NewBatchThreshold is < 0)
        {
            failures.Add("host.json extensions.queues.newBatchThreshold must not be negative.");
        }

        if (options.MaxPollingInterval < TimeSpan.FromMilliseconds(100))
        {
            failures.Add("host.json extensions.queues.maxPollingInterval must be at least 00:00:00.100.");
        }

        if (options.VisibilityTimeout < TimeSpan.Zero || options.VisibilityTimeout > TimeSpan.FromDays(7))
        {
            failures.Add("host.json extensions.queues.visibilityTimeout must be between 0 and 7 days.");
        }

        if (options.MaxDequeueCount < 1)
        {
            failures.Add("host.json extensions.queues.maxDequeueCount must be at least 1.");
        }

        if (!options.IsBase64 && !string.Equals(options.MessageEncoding, "none", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add("host.json extensions.queues.messageEncoding must be base64 or none.");
        }

        if (options.MessageLease < TimeSpan.FromSeconds(1) || options.MessageLease > TimeSpan.FromDays(7))
        {
            failures.Add("extensions:queues:messageLease must be between 1 second and 7 days.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
