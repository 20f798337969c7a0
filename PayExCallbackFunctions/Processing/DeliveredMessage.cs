using System.Diagnostics;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Processing;

/// <summary>
/// A queue message as the host's trigger delivered it: its body as it came, its id, delivery count and pop receipt,
/// and the invocation it came in (its id and trace context, which the callback's own trace links to).
/// </summary>
/// <remarks>A class, not a record: its text is decoded once from <see cref="Body"/>, which a <c>with</c> could change.</remarks>
public sealed class DeliveredMessage(
    string body,
    string messageId,
    long dequeueCount,
    string? invocationId = null,
    ActivityContext invocation = default,
    string? popReceipt = null)
{
    private readonly DecodedText _decoded = QueueMessageText.Decode(body);

    public string Body => body;

    public string MessageId => messageId;

    public long DequeueCount => dequeueCount;

    public string? InvocationId => invocationId;

    public ActivityContext Invocation => invocation;

    public string? PopReceipt => popReceipt;

    /// <summary>The message's text: decoded from base64, as the app writes it, or the body as it came if it is not.</summary>
    public string Text => _decoded.Text;

    /// <summary>False for a message that is not base64 of UTF-8 text: not one this app wrote.</summary>
    public bool IsBase64 => _decoded.IsBase64;

    public static DeliveredMessage Of(QueueMessage message, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(context);
        return new(message.Body.ToString(), message.MessageId, message.DequeueCount, context.InvocationId, Activity.Current?.Context ?? default, message.PopReceipt);
    }
}
