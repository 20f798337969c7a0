using Microsoft.AspNetCore.Http.HttpResults;

namespace PayExCallbackFunctions.OrderSystem.Orders;

/// <summary>Read-only views for operators and tests: the orders, one order, the receipts written.</summary>
public static class OrdersApi
{
    public static IEndpointRouteBuilder MapOrders(this IEndpointRouteBuilder app)
    {
        app.MapGet("/orders", async (OrderFiles files, CancellationToken cancellationToken) =>
            TypedResults.Ok(await files.OrdersAsync(cancellationToken)));

        app.MapGet("/orders/{payment:guid}", async Task<Results<Ok<Order>, ProblemHttpResult>> (Guid payment, OrderFiles files, CancellationToken cancellationToken) =>
            await files.ReadOrderAsync(payment, cancellationToken) is { } order
                ? TypedResults.Ok(order)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such order", detail: $"No event has been applied for payment {payment:D}."));

        app.MapGet("/receipts", async (OrderFiles files, CancellationToken cancellationToken) =>
            TypedResults.Ok(await files.ReceiptsAsync(cancellationToken)));
        return app;
    }
}
