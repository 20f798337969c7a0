using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace NaiveApp;

/// <summary>A callback as a typical isolated function takes it: the body, unchecked, onto the queue by an output binding; 200.</summary>
public sealed class NaiveCallback
{
    [Function(nameof(NaiveCallback))]
    public static async Task<NaiveCallbackOutput> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "payex/callbacks")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var reader = new StreamReader(request.Body);
        return new NaiveCallbackOutput { Message = await reader.ReadToEndAsync(request.HttpContext.RequestAborted), Response = new OkResult() };
    }
}

/// <summary>The function's two outputs: the queue message and the HTTP answer.</summary>
public sealed class NaiveCallbackOutput
{
    [QueueOutput("%PayExCallbackQueue%")]
    public string? Message { get; set; }

    [HttpResult]
    public IActionResult? Response { get; set; }
}
