namespace PayExCallbackFunctions.Access;

/// <summary>
/// <c>callback-url --endpoint URL --order REF</c>: prints the signed callback URL for an order. The
/// secret (<c>Access__SigningSecret</c>) and the function key (<c>CallbackUrl__Code</c>, optional)
/// come from the environment, never from the command line, where other users of the machine could read them.
/// </summary>
public static class CallbackUrlCommand
{
    public const string Name = "callback-url";

    /// <summary>The function key to put in the URL as <c>code</c>, if any.</summary>
    public const string CodeSetting = "CallbackUrl:Code";

    public static int Run(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        string? endpoint = null, order = null;
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--endpoint": endpoint = value; break;
                case "--order": order = value; break;
                default: return Usage(error, $"Unknown argument '{args[i]}'.");
            }
        }

        if (endpoint is null || !Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUrl))
        {
            return Usage(error, "--endpoint must be the callback function's absolute URL.");
        }

        if (!CallbackSignature.IsValidOrderReference(order))
        {
            return Usage(error, $"--order must be 1-{CallbackSignature.MaxOrderReferenceLength} characters, none of them control characters.");
        }

        var secret = configuration[$"{AccessOptions.Section}:{nameof(AccessOptions.SigningSecret)}"];
        if (string.IsNullOrEmpty(secret) || secret.Length < AccessOptionsValidator.MinSecretLength)
        {
            return Usage(error, $"Set Access__SigningSecret (at least {AccessOptionsValidator.MinSecretLength} characters) in the environment.");
        }

        try
        {
            output.WriteLine(CallbackUrl.For(endpointUrl, order!, secret, configuration[CodeSetting]).AbsoluteUri);
            return 0;
        }
        catch (ArgumentException e)
        {
            return Usage(error, e.Message);
        }
    }

    private static int Usage(TextWriter error, string problem)
    {
        error.WriteLine(problem);
        error.WriteLine($"Usage: [CallbackUrl__Code=<function key>] {Name} --endpoint https://<app>.azurewebsites.net/api/payex/callbacks --order <order reference>");
        return 2;
    }
}
