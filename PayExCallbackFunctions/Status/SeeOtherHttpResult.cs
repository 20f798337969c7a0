namespace PayExCallbackFunctions.Status;

/// <summary>
/// 303 See Other: after a form post, the browser GETs the page again, so that reloading it does not
/// post again. (TypedResults.Redirect has 302 and 307 only.)
/// </summary>
public sealed class SeeOtherHttpResult(string location) : IResult, IStatusCodeHttpResult
{
    public string Location { get; } = location;

    public int? StatusCode => StatusCodes.Status303SeeOther;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
        httpContext.Response.Headers.Location = Location;
        return Task.CompletedTask;
    }
}
