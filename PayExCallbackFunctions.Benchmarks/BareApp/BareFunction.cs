using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace BareApp;

/// <summary>The least an isolated HTTP function can do: answer 200, on the app's callback route.</summary>
public static class BareFunction
{
    [Function("Bare")]
    public static IActionResult Run([HttpTrigger(AuthorizationLevel.Function, "post", Route = "payex/callbacks")] HttpRequest request) => new OkResult();
}
