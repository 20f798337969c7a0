using System.Text.Json;
using System.Text.Json.Nodes;

namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>
/// /_standin/payments: a test creates a payment or payment order and moves it through its life, step
/// by step, and is told the callback PayEx would send after each step.
/// </summary>
public static class StandInPaymentsApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static RouteGroupBuilder MapStandInPayments(this RouteGroupBuilder script)
    {
        script.MapPost("/payments", async (HttpRequest request, StandInPayments payments) =>
        {
            var body = await ReadAsync<NewPayment>(request);
            if (body.Error is not null)
            {
                return Results.BadRequest(body.Error);
            }

            var create = body.Value ?? new NewPayment();
            var (generation, error) = create.Validate();
            if (generation is null)
            {
                return Results.BadRequest(error);
            }

            var life = payments.Create(create, generation.Value);
            var id = life.OrderId ?? life.PaymentId!.Value;
            return Results.Json(
                new JsonObject { ["id"] = id.ToString("D"), ["paymentOrder"] = life.OrderPath, ["payment"] = life.PaymentPath },
                statusCode: StatusCodes.Status201Created);
        });
        script.MapPost("/payments/{id:guid}/{step}", async (Guid id, string step, HttpRequest request, StandInPayments payments, CallbackTarget target) =>
        {
            var body = await ReadAsync<StepBody>(request);
            if (body.Error is not null)
            {
                return Results.BadRequest(body.Error);
            }

            var result = payments.Step(id, step.ToLowerInvariant(), body.Value?.Amount);
            if (result.Status != 200)
            {
                return Results.Text(result.Error, "text/plain", statusCode: result.Status);
            }

            var answer = new JsonObject { ["callback"] = result.Callback, ["transaction"] = result.Transaction };
            if (payments.Find(id)?.CallbackUrl is { } url)
            {
                // As PayEx: the callback goes out once the change is made.
                answer["callbackSent"] = new JsonObject { ["url"] = url.ToString(), ["answer"] = await target.SendAsync(url, result.Callback!.DeepClone().AsObject(), request.HttpContext.RequestAborted) };
            }

            return Results.Json(answer);
        });
        return script;
    }

    // An empty body is no body: every member has a default.
    private static async Task<(T? Value, string? Error)> ReadAsync<T>(HttpRequest request)
        where T : class
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync();
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }

        try
        {
            return (JsonSerializer.Deserialize<T>(text, Json), null);
        }
        catch (JsonException e)
        {
            return (null, $"The body is not the JSON expected: {e.Message}");
        }
    }

    private sealed class StepBody
    {
        public long? Amount { get; set; }
    }
}
