namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>
/// Sends a step's callback to the payment's callback URL, as PayEx does after a change (once here: PayEx's
/// retries are the app's tests' business). <see cref="DefaultUrl"/> is the stand-in's --callbackUrl.
/// </summary>
public sealed class CallbackTarget(HttpClient http, Uri? defaultUrl)
{
    public Uri? DefaultUrl { get; } = defaultUrl;

    /// <summary>The status the callback URL answered, or why it did not.</summary>
    public async Task<string> SendAsync(Uri url, System.Text.Json.Nodes.JsonObject callback, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new StringContent(callback.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(url, content, cancellationToken);
            return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"not answered: {e.Message}";
        }
    }
}
