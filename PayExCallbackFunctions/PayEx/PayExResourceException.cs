namespace PayExCallbackFunctions.PayEx;

/// <summary>PayEx answered, but not with a valid resource of the kind that was asked for.</summary>
public class PayExResourceException : Exception
{
    public PayExResourceException() { }

    public PayExResourceException(string message) : base(message) { }

    public PayExResourceException(string message, Exception inner) : base(message, inner) { }
}
