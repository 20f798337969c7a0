using Microsoft.Extensions.Options;

namespace PayExCallbackFunctions.Api;

/// <summary>The payments API for the order system (section <c>Api</c>).</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>
    /// A refresh within this many seconds of the payment's last read from PayEx is answered from the store: a
    /// return page reloaded a hundred times costs PayEx one GET.
    /// </summary>
    public int RefreshIntervalSeconds { get; set; } = 10;

    public TimeSpan RefreshInterval => TimeSpan.FromSeconds(RefreshIntervalSeconds);
}

public sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options) =>
        options.RefreshIntervalSeconds is < 1 or > 3600
            ? ValidateOptionsResult.Fail("Api__RefreshIntervalSeconds must be between 1 and 3600.")
            : ValidateOptionsResult.Success;
}
