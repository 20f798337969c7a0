using PayExCallbackFunctions.PayExStandIn.Payments;

namespace PayExCallbackFunctions.PayExStandIn;

/// <summary>
/// A local stand-in for the PayEx API, for development and tests: serves example payments,
/// transactions and payment orders over HTTP, and can be told to be slow, fail, or change state.
/// </summary>
public static class PayExStandIn
{
    public const string DefaultToken = "stand-in-token";

    /// <summary>Builds the stand-in listening on <paramref name="url"/> (port 0: any free port).</summary>
    /// <param name="callbackUrl">Where scripted payments' callbacks go by default (as run.sh sets it: the app's callback URL); null: to nowhere, the caller posts them.</param>
    public static WebApplication Build(string url, string token = DefaultToken, bool seedExamples = true, string[]? args = null, Uri? callbackUrl = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var state = new StandInState();
        if (seedExamples)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Examples"), "*.json"))
            {
                state.PutResource(File.ReadAllText(file));
            }
        }

        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new CallbackTarget(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, callbackUrl));
        builder.Services.AddSingleton<StandInPayments>();
        var app = builder.Build();
        app.MapPayExStandIn(token);
        return app;
    }
}
