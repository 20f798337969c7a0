using PayExCallbackFunctions.Processing;

namespace PayExCallbackFunctions.DeadLetters;

/// <summary>
/// Messages the queue trigger gave up on (crashes, bugs) reach the poison queue; from there they
/// become dead letters like any other, so an operator finds them in one place and can replay them.
/// </summary>
public sealed partial class PoisonedCallbacks(DeadLetterTable deadLetters, TimeProvider time, ILogger<PoisonedCallbacks> logger)
{
    public async Task DeadLetterAsync(string message, string messageId, long dequeueCount, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        const string reason = "The queue trigger gave up on the message after repeated failures it could not classify (a crash or a bug); see the app's logs.";
        DeadLetter deadLetter;
        try
        {
            var envelope = CallbackMessage.Read(message);
            deadLetter = DeadLetter.From(envelope, DeadLetterOrigin.Poison, reason, now, message);
        }
        catch (InvalidCallbackMessageException e)
        {
            deadLetter = DeadLetter.Unreadable(message, messageId, DeadLetterOrigin.Poison, $"{reason} {e.Message}", dequeueCount, now);
        }

        await deadLetters.AddAsync(deadLetter, cancellationToken);
        LogPoisoned(logger, deadLetter.Id, deadLetter.Payment ?? deadLetter.PaymentOrder);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Callback {CallbackId} reached the poison queue and was dead-lettered, for {Resource}")]
    private static partial void LogPoisoned(ILogger logger, string callbackId, string? resource);
}
