using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Storage;

/// <summary>Names of the queues and tables the app uses (section <c>Storage</c>).</summary>
public sealed partial class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>
    /// The setting the queue functions' triggers read the queue's name from, and the app too. Flat, not
    /// Storage__CallbackQueue: on Flex Consumption the platform's scale controller reads it to watch the queue,
    /// and it has failed to resolve hierarchical names the host resolves, leaving a queue it never scales for.
    /// </summary>
    public const string CallbackQueueSetting = "PayExCallbackQueue";

    /// <summary>The setting's name before it was made flat: refused at start, so an upgrade cannot go on with the default queue.</summary>
    public const string FormerCallbackQueueSetting = Section + ":" + nameof(CallbackQueue);

    /// <summary>What the host's queue trigger adds to a queue's name for the messages it gives up on.</summary>
    public const string PoisonSuffix = "-poison";

    /// <summary>From <see cref="CallbackQueueSetting"/>, not from this section.</summary>
    public string CallbackQueue { get; set; } = "payex-callbacks";

    public string PaymentsTable { get; set; } = "PayExPayments";

    /// <summary>Callbacks that could not be stored, for an operator to read and replay.</summary>
    public string DeadLettersTable { get; set; } = "PayExDeadLetters";

    /// <summary>Callbacks refused as invalid after they passed authentication, kept so a format change is noticed.</summary>
    public string RejectedCallbacksTable { get; set; } = "PayExRejectedCallbacks";

    /// <summary>The index from merchant references and secondary ids to a payment's partition (Table Storage has no other).</summary>
    public string PaymentReferencesTable { get; set; } = "PayExPaymentReferences";

    /// <summary>When each tracked payment is next checked with PayEx, by due minute (and the payments whose tracking ended unsettled).</summary>
    public string PaymentChecksTable { get; set; } = "PayExPaymentChecks";

    /// <summary>
    /// How long a function that answers a caller (the callback, the status page) waits for storage before it
    /// answers without it: PayEx waits for our answer, and a hanging storage must not hold it for half a minute.
    /// </summary>
    public int AnswerTimeoutSeconds { get; set; } = 2;

    public TimeSpan AnswerTimeout => TimeSpan.FromSeconds(AnswerTimeoutSeconds);

    /// <summary>Where the queue trigger moves a message that failed <c>maxDequeueCount</c> times, as the Functions host names it.</summary>
    public string PoisonQueue => CallbackQueue + PoisonSuffix;

    // Queue names: 3-63 lowercase letters, digits and single hyphens; "-poison" must still fit.
    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]{1,54}[a-z0-9]$")]
    internal static partial Regex QueueName();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    internal static partial Regex TableName();
}

public sealed class StorageOptionsValidator(IConfiguration configuration) : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        var queue = configuration[StorageOptions.CallbackQueueSetting];
        var former = configuration[StorageOptions.FormerCallbackQueueSetting];
        if (!string.IsNullOrEmpty(former) && string.IsNullOrEmpty(queue))
        {
            // An upgraded deployment that kept the old name: without this it would fail below too, but say why.
            failures.Add($"Storage__CallbackQueue was renamed {StorageOptions.CallbackQueueSetting}: set {StorageOptions.CallbackQueueSetting}={former} and remove Storage__CallbackQueue.");
        }
        else if (string.IsNullOrEmpty(queue))
        {
            // Else the host could not bind the queue triggers while this app went on acknowledging.
            failures.Add($"{StorageOptions.CallbackQueueSetting} must be set: the queue functions' triggers read the queue name from it.");
        }
        else if (!string.IsNullOrEmpty(former) && !string.Equals(former, queue, StringComparison.Ordinal))
        {
            // Which one was meant? The triggers would read the new one; refuse rather than guess.
            failures.Add($"Storage__CallbackQueue '{former}' and {StorageOptions.CallbackQueueSetting} '{queue}' differ: Storage__CallbackQueue is no longer read, remove it.");
        }

        if (!StorageOptions.QueueName().IsMatch(options.CallbackQueue))
        {
            failures.Add($"{StorageOptions.CallbackQueueSetting} '{options.CallbackQueue}' is not a valid queue name (3-56 lowercase letters, digits and single hyphens).");
        }

        if (!StorageOptions.TableName().IsMatch(options.PaymentsTable))
        {
            failures.Add($"Storage__PaymentsTable '{options.PaymentsTable}' is not a valid table name (3-63 letters and digits, starting with a letter).");
        }

        if (!StorageOptions.TableName().IsMatch(options.DeadLettersTable) || string.Equals(options.DeadLettersTable, options.PaymentsTable, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"Storage__DeadLettersTable '{options.DeadLettersTable}' is not a valid table name of its own (3-63 letters and digits, starting with a letter, not the payments table).");
        }

        if (options.AnswerTimeoutSeconds is < 1 or > 60)
        {
            failures.Add("Storage__AnswerTimeoutSeconds must be between 1 and 60.");
        }

        var tables = new[] { options.PaymentsTable, options.DeadLettersTable };
        if (!StorageOptions.TableName().IsMatch(options.RejectedCallbacksTable) || tables.Contains(options.RejectedCallbacksTable, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"Storage__RejectedCallbacksTable '{options.RejectedCallbacksTable}' is not a valid table name of its own (3-63 letters and digits, starting with a letter, not another of the app's tables).");
        }

        if (!StorageOptions.TableName().IsMatch(options.PaymentReferencesTable) || tables.Append(options.RejectedCallbacksTable).Contains(options.PaymentReferencesTable, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"Storage__PaymentReferencesTable '{options.PaymentReferencesTable}' is not a valid table name of its own (3-63 letters and digits, starting with a letter, not another of the app's tables).");
        }

        if (!StorageOptions.TableName().IsMatch(options.PaymentChecksTable) || tables.Append(options.RejectedCallbacksTable).Append(options.PaymentReferencesTable).Contains(options.PaymentChecksTable, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"Storage__PaymentChecksTable '{options.PaymentChecksTable}' is not a valid table name of its own (3-63 letters and digits, starting with a letter, not another of the app's tables).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
