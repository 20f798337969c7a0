using Microsoft.Extensions.Options;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Events;

/// <summary>Where the payments' events go (section <c>Events</c>).</summary>
public sealed class EventsOptions
{
    public const string Section = "Events";

    /// <summary>The Azure Storage queue the order system consumes (messages base64-encoded, as a Functions queue trigger reads by default).</summary>
    public string Queue { get; set; } = "payex-payment-events";
}

public sealed class EventsOptionsValidator : IValidateOptions<EventsOptions>
{
    public ValidateOptionsResult Validate(string? name, EventsOptions options) =>
        StorageOptions.QueueName().IsMatch(options.Queue ?? "")
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Events__Queue '{options.Queue}' is not a valid queue name (3-56 lowercase letters, digits and single hyphens).");
}
