using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.PayExStandIn.Payments;

namespace PayExCallbackFunctions.PayExStandIn;

/// <summary>
/// The stand-in's HTTP surface: PayEx's GET /psp/... as PayEx answers it, and /_standin/... for
/// tests and developers to script it.
/// </summary>
public static class StandInApi
{
    public static IEndpointRouteBuilder MapPayExStandIn(this IEndpointRouteBuilder app, string token)
    {
        app.MapGet("/psp/{**path}", async (HttpContext context, StandInState state, StandInPayments payments) =>
        {
            var request = context.Request;
            using var answering = state.BeginRequest();
            var authorized = request.Headers.Authorization.ToString() == $"Bearer {token}";
            state.Record(new RecordedRequest("GET", request.Path + request.QueryString, authorized, request.Headers.Accept.ToString(), DateTimeOffset.UtcNow));

            // PayEx reads its state as the request arrives; a slow answer carries that state back, so
            // it can arrive after a faster answer to a later request, and be older than it.
            var json = state.Get(request.Path) ?? LifeDocuments.Get(payments, request.Path, request.Query["$expand"]);
            if (state.Latency > TimeSpan.Zero)
            {
                await Task.Delay(state.Latency, context.RequestAborted);
            }

            if (!authorized)
            {
                return Problem(401, "unauthorized", "Unauthorized", "The bearer token is missing or wrong.", request.Path);
            }

            if ((state.TakeFault(request.Path) ?? state.TakeChaos(request.Path)) is { } fault)
            {
                if (fault.DelayMilliseconds > 0)
                {
                    await Task.Delay(fault.DelayMilliseconds, context.RequestAborted);
                }

                if (fault.Status == 0)
                {
                    context.Abort();
                    return Results.Empty;
                }

                if (fault.ReasonPhrase is { } phrase)
                {
                    context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>()!.ReasonPhrase = phrase;
                }

                if (fault.Status != 200)
                {
                    if (fault.RetryAfterSeconds is { } seconds)
                    {
                        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }

                    return Problem(fault.Status, "systemerror", "Injected fault", "The stand-in was told to fail this request.", request.Path);
                }

                if (json is not null && (fault.StallBody || fault.BodyByteIntervalMilliseconds > 0))
                {
                    await SendSlowlyAsync(context, Encoding.UTF8.GetBytes(json), fault);
                    return Results.Empty;
                }
            }

            // Streamed without Content-Length, as a chunked answer: clients must bound what they read.
            return json is not null
                ? Results.Stream(body => body.WriteAsync(Encoding.UTF8.GetBytes(json)).AsTask(), "application/json; charset=utf-8")
                : Problem(404, "notfound", "Not found", "The requested resource was not found.", request.Path);
        });

        var script = app.MapGroup("/_standin");
        script.MapPut("/resources/{**path}", async (string path, HttpRequest request, StandInState state) =>
        {
            using var reader = new StreamReader(request.Body);
            state.Put("/" + path, await reader.ReadToEndAsync());
            return Results.NoContent();
        });
        script.MapPost("/resources", async (HttpRequest request, StandInState state) =>
        {
            using var reader = new StreamReader(request.Body);
            state.PutResource(await reader.ReadToEndAsync());
            return Results.NoContent();
        });
        script.MapDelete("/resources/{**path}", (string path, StandInState state) =>
            state.Remove("/" + path) ? Results.NoContent() : Results.NotFound());
        script.MapPost("/faults", (Fault fault, StandInState state) =>
        {
            state.AddFault(fault);
            return Results.NoContent();
        });
        script.MapGet("/faults", (StandInState state) => Results.Ok(state.Faults));
        script.MapDelete("/faults", (StandInState state) =>
        {
            state.ClearFaults();
            return Results.NoContent();
        });
        script.MapPut("/latency/{milliseconds:int}", (int milliseconds, StandInState state) =>
        {
            state.Latency = TimeSpan.FromMilliseconds(milliseconds);
            return Results.NoContent();
        });
        script.MapPut("/chaos", (Chaos chaos, StandInState state) =>
        {
            if (chaos.Rate is not (>= 0 and <= 1) || chaos.Statuses is null or [] || chaos.RetryAfterSeconds < 0)
            {
                return Results.BadRequest("rate must be from 0 to 1, statuses not empty, retryAfterSeconds not negative.");
            }

            state.Chaos = chaos;
            return Results.NoContent();
        });
        script.MapDelete("/chaos", (StandInState state) =>
        {
            state.Chaos = null;
            return Results.NoContent();
        });
        script.MapGet("/requests", (StandInState state) => Results.Ok(state.Requests));
        script.MapGet("/stats", (StandInState state) => Results.Ok(new
        {
            requests = state.Requests.Count,
            injectedFailures = state.InjectedFailures,
            maxConcurrentRequests = state.MaxConcurrentRequests,
        }));
        script.MapStandInPayments();
        script.MapPost("/reset", (StandInState state, StandInPayments payments) =>
        {
            state.Reset();
            payments.Clear();
            return Results.NoContent();
        });
        return app;
    }

    // Headers at once, then the body stalls or trickles: what a dead connection or a struggling PayEx does.
    private static async Task SendSlowlyAsync(HttpContext context, byte[] body, Fault fault)
    {
        var response = context.Response;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = body.Length;
        try
        {
            for (var i = 0; i < body.Length; i++)
            {
                await response.Body.WriteAsync(body.AsMemory(i, 1), context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(fault.StallBody ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(fault.BodyByteIntervalMilliseconds), context.RequestAborted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client gave up, as it should.
        }
    }

    // PayEx's problem documents: type under /psp/errordetail/, with instance and problems[].
    private static IResult Problem(int status, string type, string title, string detail, string instance) =>
        Results.Text(
            new JsonObject
            {
                ["type"] = $"https://api.payex.com/psp/errordetail/{type}",
                ["title"] = title,
                ["status"] = status,
                ["instance"] = instance,
                ["detail"] = detail,
                ["problems"] = new JsonArray(),
            }.ToJsonString(),
            "application/problem+json",
            Encoding.UTF8,
            status);
}
