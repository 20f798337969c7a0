using Microsoft.Extensions.Options;
using PayExCallbackFunctions.OrderSystem.Webhooks;

namespace PayExCallbackFunctions.OrderSystem;

/// <summary>The configuration section <c>OrderSystem</c>.</summary>
public sealed class OrderSystemOptions
{
    public const string Section = "OrderSystem";

    /// <summary>
    /// The secrets webhooks are signed with (<c>whsec_</c> and the base64 of 24 to 64 bytes); more than one while the
    /// sender rotates: a delivery signed with any of them is accepted.
    /// </summary>
    public IList<string> WebhookSecrets { get; } = [];

    /// <summary>The connection string of the events queue's storage account; when set, the queue is consumed.</summary>
    public string? StorageConnection { get; set; }

    /// <summary>The events queue: the app's <c>Events__Queue</c>.</summary>
    public string Queue { get; set; } = "payex-payment-events";

    /// <summary>Where orders and receipts are kept, relative to the current directory unless rooted.</summary>
    public string DataDirectory { get; set; } = ".order-system";

    /// <summary>Whether the events queue is to be consumed.</summary>
    public bool ConsumesQueue => !string.IsNullOrWhiteSpace(StorageConnection);
}

/// <summary>Fails start-up naming the setting that is missing or wrong, never showing a secret.</summary>
public sealed class OrderSystemOptionsValidator : IValidateOptions<OrderSystemOptions>
{
    public ValidateOptionsResult Validate(string? name, OrderSystemOptions options)
    {
        var failures = new List<string>();
        if (options.WebhookSecrets.Count == 0)
        {
            failures.Add($"{OrderSystemOptions.Section}:WebhookSecrets needs at least one whsec_ secret (as the app's webhook is configured).");
        }

        for (var i = 0; i < options.WebhookSecrets.Count; i++)
        {
            if (!WebhookVerifier.TryDecodeSecret(options.WebhookSecrets[i], out _))
            {
                failures.Add($"{OrderSystemOptions.Section}:WebhookSecrets:{i} is not a Standard Webhooks secret: whsec_ and the base64 of 24 to 64 bytes.");
            }
        }

        if (options.ConsumesQueue && string.IsNullOrWhiteSpace(options.Queue))
        {
            failures.Add($"{OrderSystemOptions.Section}:Queue is empty: name the events queue, or leave StorageConnection unset.");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add($"{OrderSystemOptions.Section}:DataDirectory is empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
