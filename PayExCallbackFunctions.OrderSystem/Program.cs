using PayExCallbackFunctions.OrderSystem;

// Standalone: `dotnet run --project PayExCallbackFunctions.OrderSystem -- --urls http://127.0.0.1:5072`,
// settings under OrderSystem (e.g. OrderSystem__WebhookSecrets__0=whsec_...): see OrderSystemOptions.
var app = OrderSystemApp.Build(args);
await app.RunAsync();
