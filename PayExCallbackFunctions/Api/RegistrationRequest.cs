using System.Text.Json;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Payments;

namespace PayExCallbackFunctions.Api;

/// <summary>
/// The body of <c>POST payments</c>: <c>{"paymentOrder": "/psp/paymentorders/&lt;id&gt;"}</c> or
/// <c>{"payment": "/psp/&lt;instrument&gt;/payments/&lt;id&gt;"}</c> (a path, or a URL on the PayEx host), and optionally
/// <c>"orderReference"</c>. Anything else is refused with the reason, before anything is stored or fetched.
/// </summary>
public sealed record RegistrationRequest(PayExPath? Path, string? OrderReference, string? Error)
{
    private const string PaymentOrderProperty = "paymentOrder";
    private const string PaymentProperty = "payment";
    private const string OrderReferenceProperty = "orderReference";

    public static async Task<RegistrationRequest> ReadAsync(HttpRequest request, int maxBytes, Uri payExBaseUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Refused($"The body must be application/json, not “{OutsideText.Neutralise(type, 64)}”.");
        }

        // One byte more than allowed tells a body too long from one just long enough.
        var buffer = new byte[maxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        if (length > maxBytes)
        {
            return Refused($"The body is longer than {maxBytes} bytes.");
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
            return Read(document.RootElement, payExBaseUrl);
        }
        catch (JsonException)
        {
            return Refused("The body is not JSON.");
        }
    }

    private static RegistrationRequest Read(JsonElement root, Uri payExBaseUrl)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Refused("The body must be a JSON object such as {\"paymentOrder\": \"/psp/paymentorders/5adc265f-f87f-4313-577e-08d3dca1a26c\"}.");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name is not (PaymentOrderProperty or PaymentProperty or OrderReferenceProperty))
            {
                return Refused($"Unknown property “{OutsideText.Neutralise(property.Name, 64)}”: a registration has paymentOrder or payment, and optionally orderReference.");
            }

            if (property.Value.ValueKind != JsonValueKind.String || values.ContainsKey(property.Name))
            {
                return Refused($"{property.Name} must be given once, as a string.");
            }

            values[property.Name] = property.Value.GetString()!;
        }

        var named = new[] { PaymentOrderProperty, PaymentProperty }.Where(values.ContainsKey).ToArray();
        if (named.Length != 1)
        {
            return Refused("Give exactly one of paymentOrder and payment.");
        }

        var kind = named[0] == PaymentOrderProperty ? PayExResourceKind.PaymentOrder : PayExResourceKind.Payment;
        if (!PayExPath.TryParse(values[named[0]], payExBaseUrl, out var path, out var error))
        {
            return Refused($"{named[0]} {error}.");
        }

        if (path.Kind != kind)
        {
            return Refused(kind == PayExResourceKind.PaymentOrder
                ? "paymentOrder must be a payment order's path, /psp/paymentorders/<id>."
                : "payment must be a payment's path, /psp/<instrument>/payments/<id>.");
        }

        if (values.TryGetValue(OrderReferenceProperty, out var orderReference) && !PaymentReference.IsValid(orderReference))
        {
            return Refused($"orderReference must be 1-{PaymentReference.MaxLength} characters, none of them control characters, as PayEx allows.");
        }

        return new RegistrationRequest(path, orderReference, null);
    }

    private static RegistrationRequest Refused(string error) => new(null, null, error);
}
