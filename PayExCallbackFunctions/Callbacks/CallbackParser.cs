using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using PayExCallbackFunctions.PayEx;

namespace PayExCallbackFunctions.Callbacks;

/// <summary>
/// Turns a callback body of any shape PayEx has used into a <see cref="CallbackEnvelope"/>, or says
/// why it cannot. Unknown members are ignored; everything that is read is validated.
/// </summary>
public sealed class CallbackParser(Uri payExBaseUrl)
{
    private const int MaxOrderReferenceLength = 128;
    private const int MaxInstrumentLength = 64;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = 16,
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    public bool TryParse(
        ReadOnlyMemory<byte> body,
        string id,
        DateTimeOffset receivedAt,
        [NotNullWhen(true)] out CallbackEnvelope? envelope,
        [NotNullWhen(false)] out CallbackRejection? rejection)
    {
        envelope = null;
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            rejection = CallbackRejection.One("The callback body is empty.", "$", "must be a JSON object");
            return false;
        }

        // RFC 8259: no byte order mark on the wire. PayEx sends none; a body with one came from elsewhere.
        if (body.Span.StartsWith("\uFEFF"u8))
        {
            rejection = CallbackRejection.One("The callback body starts with a byte order mark.", "$", "must be UTF-8 without a byte order mark");
            return false;
        }

        // JSON readers check UTF-8 only in what they decode; the raw body is kept for audit, so check all of it.
        if (!Utf8.IsValid(body.Span))
        {
            rejection = CallbackRejection.One("The callback body is not valid UTF-8.", "$", "must be UTF-8 encoded");
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException e)
        {
            rejection = CallbackRejection.One("The callback body is not valid JSON.", "$", JsonErrorReason(e));
            return false;
        }
        catch (InvalidOperationException)
        {
            // Keys are decoded to find duplicates; an escaped lone surrogate cannot be.
            rejection = LoneSurrogate();
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                rejection = CallbackRejection.One("The callback body is not a JSON object.", "$", "must be a JSON object");
                return false;
            }

            var errors = new Errors();
            Fields? fields;
            try
            {
                fields = ReadShape(root, errors);
            }
            catch (InvalidOperationException)
            {
                // Valid JSON syntax, but a string escape (\ud800) that is no Unicode text.
                rejection = LoneSurrogate();
                return false;
            }

            if (fields is null || errors.Count > 0)
            {
                rejection = new CallbackRejection(
                    fields is null ? "The callback body has no shape PayEx uses." : "The callback body names no valid PayEx resource.",
                    errors.ToDictionary());
                return false;
            }

            envelope = new CallbackEnvelope
            {
                Id = id,
                Shape = fields.Shape,
                PaymentOrder = fields.PaymentOrder?.Value,
                PaymentOrderNumber = fields.PaymentOrderNumber,
                Instrument = fields.Instrument,
                Payment = (fields.Payment?.Value) ?? fields.Transaction?.PaymentPath,
                PaymentNumber = fields.PaymentNumber,
                Transaction = fields.Transaction?.Value,
                TransactionNumber = fields.TransactionNumber,
                OrderReference = fields.OrderReference,
                ReceivedAt = receivedAt,
                RawBody = Encoding.UTF8.GetString(body.Span),
            };
            rejection = null;
            return true;
        }
    }

    private static CallbackRejection LoneSurrogate() =>
        CallbackRejection.One("The callback body is not valid JSON.", "$", "has a string escape that is not Unicode text (a lone surrogate)");

    private static string JsonErrorReason(JsonException e) =>
        e.LineNumber is { } line && e.BytePositionInLine is { } position
            ? $"malformed JSON at line {line + 1}, byte {position + 1}"
            : "malformed JSON";

    private sealed class Fields
    {
        public CallbackShape Shape { get; set; }
        public PayExPath? PaymentOrder { get; set; }
        public long? PaymentOrderNumber { get; set; }
        public string? Instrument { get; set; }
        public PayExPath? Payment { get; set; }
        public long? PaymentNumber { get; set; }
        public PayExPath? Transaction { get; set; }
        public long? TransactionNumber { get; set; }
        public string? OrderReference { get; set; }
    }

    private Fields? ReadShape(JsonElement root, Errors errors)
    {
        var fields = new Fields();
        root.TryGetProperty("paymentOrder", out var paymentOrder);
        root.TryGetProperty("payment", out var payment);
        root.TryGetProperty("transaction", out var transaction);

        if (paymentOrder.ValueKind == JsonValueKind.Object)
        {
            fields.PaymentOrder = ReadPath(paymentOrder, "id", "paymentOrder.id", PayExResourceKind.PaymentOrder, errors, required: true);
            fields.PaymentOrderNumber = ReadNumber(paymentOrder, "number", "paymentOrder.number", errors);
            fields.Instrument = ReadString(paymentOrder, "instrument", "paymentOrder.instrument", MaxInstrumentLength, errors);
            var namesPaymentOrTransaction = IsPresent(payment) || IsPresent(transaction);
            fields.Shape = namesPaymentOrTransaction ? CallbackShape.PaymentOrder : CallbackShape.PaymentOrderV31;
            if (namesPaymentOrTransaction)
            {
                ReadNested(root, fields, errors, paymentRequired: false);
            }
        }
        else if (IsPresent(paymentOrder))
        {
            errors.Add("paymentOrder", "must be an object");
            return null;
        }
        else if (payment.ValueKind == JsonValueKind.String)
        {
            fields.Shape = CallbackShape.V1Flat;
            fields.Payment = ReadPath(root, "payment", "payment", PayExResourceKind.Payment, errors, required: true);
            fields.PaymentNumber = ReadNumber(root, "paymentNumber", "paymentNumber", errors);
            fields.Transaction = ReadPath(root, "transaction", "transaction", PayExResourceKind.Transaction, errors, required: false);
            fields.TransactionNumber = ReadNumber(root, "transactionNumber", "transactionNumber", errors);
        }
        else if (payment.ValueKind == JsonValueKind.Object)
        {
            fields.Shape = CallbackShape.V1Nested;
            ReadNested(root, fields, errors, paymentRequired: true);
        }
        else
        {
            errors.Add("$", "must name a paymentOrder or a payment");
            return null;
        }

        fields.OrderReference = ReadString(root, "orderReference", "orderReference", MaxOrderReferenceLength, errors);

        if (fields.Payment is { } p && fields.Transaction is { } t && t.PaymentPath != p.Value)
        {
            errors.Add(fields.Shape == CallbackShape.V1Flat ? "transaction" : "transaction.id", "must belong to the payment the callback names");
        }

        return fields;
    }

    // A member sent as null is read as absent.
    private static bool IsPresent(JsonElement member) => member.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);

    private void ReadNested(JsonElement root, Fields fields, Errors errors, bool paymentRequired)
    {
        if (ReadObject(root, "payment", errors, required: paymentRequired) is { } payment)
        {
            fields.Payment = ReadPath(payment, "id", "payment.id", PayExResourceKind.Payment, errors, required: true);
            fields.PaymentNumber = ReadNumber(payment, "number", "payment.number", errors);
        }

        if (ReadObject(root, "transaction", errors, required: false) is { } transaction)
        {
            fields.Transaction = ReadPath(transaction, "id", "transaction.id", PayExResourceKind.Transaction, errors, required: true);
            fields.TransactionNumber = ReadNumber(transaction, "number", "transaction.number", errors);
        }
    }

    private static JsonElement? ReadObject(JsonElement parent, string name, Errors errors, bool required)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add(name, "is required");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(name, "must be an object");
            return null;
        }

        return value;
    }

    private PayExPath? ReadPath(JsonElement parent, string name, string member, PayExResourceKind kind, Errors errors, bool required)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add(member, "is required");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(member, "must be a string");
            return null;
        }

        if (!PayExPath.TryParse(value.GetString(), payExBaseUrl, out var path, out var error))
        {
            errors.Add(member, error);
            return null;
        }

        if (path.Kind != kind)
        {
            errors.Add(member, $"must be a {KindName(kind)} path");
            return null;
        }

        return path;
    }

    private static string KindName(PayExResourceKind kind) => kind switch
    {
        PayExResourceKind.PaymentOrder => "payment order",
        PayExResourceKind.Payment => "payment",
        _ => "transaction",
    };

    private static long? ReadNumber(JsonElement parent, string name, string member, Errors errors)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // The 2018 flat shape sent numbers as strings or as numbers.
        var ok = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out var n) ? n : (long?)null,
            JsonValueKind.String => IsDigits(value.GetString()) && long.TryParse(value.GetString(), out var s) ? s : null,
            _ => null,
        };
        if (ok is not > 0)
        {
            errors.Add(member, "must be a positive whole number");
            return null;
        }

        return ok;
    }

    private static bool IsDigits(string? s) => !string.IsNullOrEmpty(s) && s.Length <= 19 && s.All(char.IsAsciiDigit);

    private static string? ReadString(JsonElement parent, string name, string member, int maxLength, Errors errors)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(member, "must be a string");
            return null;
        }

        var s = value.GetString()!;
        if (s.Length > maxLength || s.Any(char.IsControl))
        {
            errors.Add(member, $"must be at most {maxLength} printable characters");
            return null;
        }

        return s;
    }

    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _errors = [];

        public int Count => _errors.Count;

        public void Add(string member, string reason)
        {
            if (!_errors.TryGetValue(member, out var reasons))
            {
                _errors[member] = reasons = [];
            }

            reasons.Add(reason);
        }

        public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }
}
