using PayExCallbackFunctions.PayExStandIn;

// Standalone: `dotnet run --project PayExCallbackFunctions.PayExStandIn -- --urls http://127.0.0.1:7071`
var configuration = new ConfigurationBuilder().AddCommandLine(args).AddEnvironmentVariables("PAYEX_STANDIN_").Build();
var app = PayExStandIn.Build(
    configuration["urls"] ?? "http://127.0.0.1:5071",
    configuration["token"] ?? PayExStandIn.DefaultToken,
    args: args,
    callbackUrl: configuration["callbackUrl"] is { Length: > 0 } callbackUrl ? new Uri(callbackUrl) : null);
await app.RunAsync();
