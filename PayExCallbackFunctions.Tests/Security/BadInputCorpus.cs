using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Access;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Security;

/// <summary>What a bad input is about; every category has cases in the corpus.</summary>
public enum BadInputCategory
{
    TruncatedJson,
    BrokenJson,
    WrongType,
    NullRequiredMember,
    HugeNumber,
    DeepNesting,
    DuplicateKey,
    ByteOrderMark,
    InvalidUtf8,
    EmptyBody,
    NotAnObject,
    HugeBody,
    ContentType,
    PathTraversal,
    EncodedSlash,
    Backslash,
    QueryOrFragment,
    UserInfo,
    IpLiteralHost,
    ForeignHost,
    OtherScheme,
    ForeignTransaction,
    OversizedString,
    ControlCharacter,
    UnknownTransactionCollection,
    WrongResourceKind,
    WrongMethod,
    Authentication,
    Signature,
}

/// <summary>Which client sends a case: <see cref="HostProcess.Http"/> (adds the callback key unless the case carries one) or <see cref="HostProcess.Raw"/>.</summary>
public enum CaseClient
{
    WithCallbackKey,
    Raw,
}

/// <summary>A body too large to keep in memory per case: generated as it is sent, with or without a Content-Length.</summary>
public sealed record HugeBody(long Length, bool Chunked);

/// <summary>One hostile or broken request to the callback function and the status it must be answered with.</summary>
public sealed record BadInput
{
    /// <summary>Stand for the configured PayEx base URL (scheme://host:port), its host:port and its port; filled in when sent.</summary>
    public const string PayExToken = "@PAYEX@";
    public const string AuthorityToken = "@AUTHORITY@";
    public const string PortToken = "@PORT@";

    public required string Name { get; init; }

    public required BadInputCategory Category { get; init; }

    public required int ExpectedStatus { get; init; }

    public HttpMethod Method { get; init; } = HttpMethod.Post;

    /// <summary>Sent as is (not validated by HttpClient); null sends none.</summary>
    public string? ContentType { get; init; } = "application/json";

    public byte[] Body { get; init; } = [];

    /// <summary>If set, the body is generated instead of <see cref="Body"/>.</summary>
    public HugeBody? Huge { get; init; }

    /// <summary>Appended to the route, e.g. <c>?code=x</c>.</summary>
    public string Query { get; init; } = "";

    public CaseClient Client { get; init; } = CaseClient.WithCallbackKey;

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>True if the body holds the tokens standing for the configured PayEx host.</summary>
    public bool NamesPayExHost { get; init; }

    /// <summary>Passed authentication and was refused for what it sent: the app records these.</summary>
    public bool RefusedForContent => ExpectedStatus is 400 or 413 or 415;

    public override string ToString() => Name;

    public HttpRequestMessage ToRequest(Uri payExBaseUrl)
    {
        ArgumentNullException.ThrowIfNull(payExBaseUrl);
        var request = new HttpRequestMessage(Method, "/api/payex/callbacks" + Query);
        HttpContent? content = Huge is { } huge
            ? new GeneratedBodyContent(huge.Length, huge.Chunked)
            : Body.Length > 0 || Method == HttpMethod.Post ? new ByteArrayContent(FillIn(payExBaseUrl)) : null;
        if (content is not null)
        {
            if (ContentType is not null)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }

            request.Content = content;
        }

        foreach (var (name, value) in Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private byte[] FillIn(Uri payExBaseUrl) => !NamesPayExHost
        ? Body
        : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Body)
            .Replace(PayExToken, payExBaseUrl.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal)
            .Replace(AuthorityToken, payExBaseUrl.Authority, StringComparison.Ordinal)
            .Replace(PortToken, payExBaseUrl.Port.ToString(), StringComparison.Ordinal));
}

/// <summary>A JSON-looking body of a given length, written in blocks, so that 10 MB is never held per case.</summary>
internal sealed class GeneratedBodyContent(long size, bool chunked) : HttpContent
{
    private static readonly byte[] Prefix = Encoding.UTF8.GetBytes("{\"payment\":\"" + BadInputCorpus.PaymentPath + "\",\"padding\":\"");
    private static readonly byte[] Suffix = "\"}"u8.ToArray();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var block = new byte[64 * 1024];
        Array.Fill(block, (byte)'x');
        await stream.WriteAsync(Prefix);
        var left = size - Prefix.Length - Suffix.Length;
        while (left > 0)
        {
            var n = (int)Math.Min(block.Length, left);
            await stream.WriteAsync(block.AsMemory(0, n));
            left -= n;
        }

        await stream.WriteAsync(Suffix);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = chunked ? -1 : size;
        return !chunked;
    }
}

/// <summary>
/// The bad-input corpus: requests to <c>POST /api/payex/callbacks</c> that must all be refused,
/// generated from the four callback shapes PayEx has used and from the example bodies in TestData/.
/// </summary>
public static class BadInputCorpus
{
    public const string PaymentId = "7e6cdfc3-1276-44e9-9992-7cf4419750e1";
    public const string TransactionId = "ec2a9b09-601a-42ae-8e33-a5737e1cf177";
    public const string PaymentOrderId = "c3ac1392-35b0-43a6-8f27-08dbce43b47c";
    public const string OtherPaymentId = "5f8e1d2c-3b4a-4c6d-8e9f-0a1b2c3d4e5f";

    public const string PaymentPath = "/psp/creditcard/payments/" + PaymentId;
    public const string TransactionPath = PaymentPath + "/authorizations/" + TransactionId;
    public const string PaymentOrderPath = "/psp/paymentorders/" + PaymentOrderId;

    /// <summary>The fixture's signing secret (signatures are checked, not required).</summary>
    public const string SigningSecret = "bad-input-corpus-signing-secret-0123456789";

    /// <summary>The callback bodies in TestData/ (all four shapes).</summary>
    public static readonly string[] ExampleFiles =
    [
        "callback-v1-flat.json",
        "callback-v1-nested-instrument.json",
        "callback-v2-paymentorder-with-orderreference.json",
        "callback-v2-v3.0-paymentorder.json",
        "callback-v3.1-paymentorder.json",
        "callback-v3.1-paymentorder-orderreference.sdk-php.json",
    ];

    private const string Json = "application/json";

    private static readonly Lazy<IReadOnlyList<BadInput>> Corpus = new(Build);

    public static IReadOnlyList<BadInput> All => Corpus.Value;

    public static BadInput Named(string name) => All.Single(c => c.Name == name);

    // The four shapes, valid as they are (see BadInputCorpusTests): each case breaks one thing.
    public static JsonObject Flat() => new()
    {
        ["payment"] = PaymentPath,
        ["paymentNumber"] = 123456,
        ["transaction"] = $"{PaymentPath}/transactions/{TransactionId}",
        ["transactionNumber"] = 12345678,
    };

    public static JsonObject Nested() => new()
    {
        ["payment"] = new JsonObject { ["id"] = PaymentPath, ["number"] = 222222222 },
        ["transaction"] = new JsonObject { ["id"] = TransactionPath, ["number"] = 333333333 },
    };

    public static JsonObject PaymentOrderV2() => new()
    {
        ["orderReference"] = "ABC123",
        ["paymentOrder"] = new JsonObject { ["id"] = PaymentOrderPath, ["instrument"] = "paymentorders" },
        ["payment"] = new JsonObject { ["id"] = $"/psp/swish/payments/{PaymentId}", ["number"] = 222222222 },
        ["transaction"] = new JsonObject { ["id"] = $"/psp/swish/payments/{PaymentId}/sale/{TransactionId}", ["number"] = 333333333 },
    };

    public static JsonObject PaymentOrderV31() => new()
    {
        ["orderReference"] = "549213",
        ["paymentOrder"] = new JsonObject { ["id"] = PaymentOrderPath, ["instrument"] = "CreditCard", ["number"] = 12345678 },
    };

    public static readonly IReadOnlyDictionary<string, Func<JsonObject>> Shapes = new Dictionary<string, Func<JsonObject>>
    {
        ["flat"] = Flat,
        ["nested"] = Nested,
        ["payment order v2"] = PaymentOrderV2,
        ["payment order v3.1"] = PaymentOrderV31,
    };

    private static List<BadInput> Build()
    {
        var cases = new List<BadInput>();
        var valid = Encoding.UTF8.GetBytes(Nested().ToJsonString());

        void Add(BadInputCategory category, string name, int status, byte[] body, string? contentType = Json) =>
            cases.Add(new BadInput
            {
                Name = $"{Label(category)}: {name}",
                Category = category,
                ExpectedStatus = status,
                Body = body,
                ContentType = contentType,
                NamesPayExHost = Encoding.UTF8.GetString(body) is var text
                                 && (text.Contains(BadInput.PayExToken, StringComparison.Ordinal)
                                     || text.Contains(BadInput.AuthorityToken, StringComparison.Ordinal)
                                     || text.Contains(BadInput.PortToken, StringComparison.Ordinal)),
            });

        void AddText(BadInputCategory category, string name, string body, int status = 400) =>
            Add(category, name, status, Encoding.UTF8.GetBytes(body));

        // One member of one shape set to raw JSON (null included): the rest of the callback is valid.
        void AddMember(BadInputCategory category, string shape, string member, string rawJson, string? name = null, int status = 400) =>
            AddText(category, name ?? $"{shape} {member} = {rawJson}", Set(Shapes[shape](), member, JsonNode.Parse(rawJson)).ToJsonString(), status);

        void AddReference(BadInputCategory category, string shape, string member, string reference, string? name = null) =>
            AddText(category, name ?? $"{shape} {member} = {reference}", Set(Shapes[shape](), member, JsonValue.Create(reference)).ToJsonString());

        AddTruncated(cases, Add);
        AddBrokenJson(AddText);
        AddWrongTypes(AddMember);

        // Nulls where a member is required (elsewhere null reads as absent).
        AddMember(BadInputCategory.NullRequiredMember, "flat", "payment", "null");
        AddText(BadInputCategory.NullRequiredMember, "nested payment = null with a transaction", Set(Nested(), "payment", null).ToJsonString());
        AddMember(BadInputCategory.NullRequiredMember, "nested", "payment.id", "null");
        AddMember(BadInputCategory.NullRequiredMember, "nested", "transaction.id", "null");
        AddMember(BadInputCategory.NullRequiredMember, "payment order v2", "paymentOrder.id", "null");
        AddMember(BadInputCategory.NullRequiredMember, "payment order v3.1", "paymentOrder.id", "null");
        AddMember(BadInputCategory.NullRequiredMember, "payment order v3.1", "paymentOrder", "null");
        AddText(BadInputCategory.NullRequiredMember, "every member null", """{"paymentOrder":null,"payment":null,"transaction":null,"orderReference":null}""");
        AddText(BadInputCategory.NullRequiredMember, "empty object {}", "{}");

        // Numbers out of range, as numbers and as the digit strings the flat shape allows.
        AddMember(BadInputCategory.HugeNumber, "flat", "paymentNumber", "1e400");
        AddMember(BadInputCategory.HugeNumber, "payment order v3.1", "paymentOrder.number", "1e400");
        AddMember(BadInputCategory.HugeNumber, "nested", "payment.number", "99999999999999999999");
        AddMember(BadInputCategory.HugeNumber, "flat", "transactionNumber", "\"99999999999999999999\"");
        AddMember(BadInputCategory.HugeNumber, "nested", "transaction.number", "9223372036854775808");
        AddMember(BadInputCategory.HugeNumber, "flat", "paymentNumber", "\"9223372036854775808\"");
        AddMember(BadInputCategory.HugeNumber, "payment order v3.1", "paymentOrder.number", "-1");
        AddMember(BadInputCategory.HugeNumber, "flat", "transactionNumber", "-9223372036854775809");

        // The parser allows 16 levels.
        AddText(BadInputCategory.DeepNesting, "17 levels of arrays", Deep(PaymentOrderV31(), 17, "[", "]"));
        AddText(BadInputCategory.DeepNesting, "17 levels of objects", Deep(PaymentOrderV31(), 17, "{\"a\":", "}"));
        AddText(BadInputCategory.DeepNesting, "1000 levels of arrays", Deep(Flat(), 1000, "[", "]"));
        AddText(BadInputCategory.DeepNesting, "1000 levels of objects", Deep(Nested(), 1000, "{\"a\":", "}"));

        var flat = Flat().ToJsonString();
        AddText(BadInputCategory.DuplicateKey, "top-level payment twice (flat)", flat.Replace("{", $"{{\"payment\":\"/psp/creditcard/payments/{OtherPaymentId}\",", StringComparison.Ordinal));
        AddText(BadInputCategory.DuplicateKey, "top-level paymentOrder twice", """{"paymentOrder":{"id":"/psp/paymentorders/00000000-0000-0000-0000-000000000001"},""" + PaymentOrderV31().ToJsonString()[1..]);
        AddText(BadInputCategory.DuplicateKey, "top-level orderReference twice", """{"orderReference":"EVIL",""" + PaymentOrderV31().ToJsonString()[1..]);
        AddText(BadInputCategory.DuplicateKey, "nested payment.id twice", ReplaceFirst(Nested().ToJsonString(), "{\"id\":", $"{{\"id\":\"/psp/creditcard/payments/{OtherPaymentId}\",\"id\":"));
        AddText(BadInputCategory.DuplicateKey, "nested paymentOrder.id twice", PaymentOrderV31().ToJsonString().Replace("{\"id\":", $"{{\"id\":\"/psp/paymentorders/{OtherPaymentId}\",\"id\":", StringComparison.Ordinal));
        AddText(BadInputCategory.DuplicateKey, "top-level payment twice, once spelt with an escape", flat.Replace("{", $"{{\"p\\u0061yment\":\"/psp/creditcard/payments/{OtherPaymentId}\",", StringComparison.Ordinal));
        AddText(BadInputCategory.DuplicateKey, "unknown member twice", flat.TrimEnd('}') + ",\"note\":1,\"note\":2}");

        AddByteOrderMarks(Add);
        AddInvalidUtf8(Add);

        Add(BadInputCategory.EmptyBody, "no bytes", 400, []);
        AddText(BadInputCategory.EmptyBody, "one space", " ");
        AddText(BadInputCategory.EmptyBody, "CR LF tab space", "\r\n\t ");
        Add(BadInputCategory.EmptyBody, "a NUL byte", 400, [0]);

        foreach (var notAnObject in new[] { "null", "[]", "\"x\"", "1", "true", "\"\"", $"[{flat}]" })
        {
            AddText(BadInputCategory.NotAnObject, notAnObject.Length > 20 ? "array holding a valid flat callback" : notAnObject, notAnObject);
        }

        cases.Add(Huge("10 MB with Content-Length", 10 * 1024 * 1024, chunked: false, 413));
        cases.Add(Huge("10 MB chunked", 10 * 1024 * 1024, chunked: true, 413));
        cases.Add(Huge("16 KiB + 1 byte with Content-Length", 16 * 1024 + 1, chunked: false, 413));
        cases.Add(Huge("16 KiB + 1 byte chunked", 16 * 1024 + 1, chunked: true, 413));
        cases.Add(Huge("10 MB as text/plain", 10 * 1024 * 1024, chunked: false, 415) with { ContentType = "text/plain" });

        foreach (var contentType in new[]
                 {
                     "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", null,
                     "application/json; charset=utf-16", "application/json; charset=iso-8859-1", "application/json; charset=utf-7",
                     "application/json; charset=", "text/json", "application/jsonp",
                 })
        {
            Add(BadInputCategory.ContentType, contentType ?? "none", 415, valid, contentType);
        }

        // Resource references: each valid in its place but for what the case names.
        AddReference(BadInputCategory.PathTraversal, "flat", "payment", $"/psp/creditcard/payments/../payments/{PaymentId}");
        AddReference(BadInputCategory.PathTraversal, "nested", "payment.id", $"{PaymentPath}/..");
        AddReference(BadInputCategory.PathTraversal, "nested", "transaction.id", $"{PaymentPath}/authorizations/../../../../paymentorders/{PaymentOrderId}");
        AddReference(BadInputCategory.PathTraversal, "payment order v3.1", "paymentOrder.id", $"/psp/paymentorders/%2e%2e/paymentorders/{PaymentOrderId}");
        AddReference(BadInputCategory.PathTraversal, "flat", "payment", $"/psp/./creditcard/payments/{PaymentId}");
        AddReference(BadInputCategory.PathTraversal, "payment order v3.1", "paymentOrder.id", $"{BadInput.PayExToken}/psp/x/../paymentorders/{PaymentOrderId}", "payment order v3.1 paymentOrder.id = PayEx URL with /x/../");

        AddReference(BadInputCategory.EncodedSlash, "flat", "payment", $"/psp/creditcard%2Fpayments%2F{PaymentId}");
        AddReference(BadInputCategory.EncodedSlash, "nested", "payment.id", $"/psp/creditcard/payments%2f{PaymentId}");
        AddReference(BadInputCategory.EncodedSlash, "payment order v3.1", "paymentOrder.id", $"/psp/paymentorders%252F{PaymentOrderId}");
        AddReference(BadInputCategory.EncodedSlash, "nested", "transaction.id", $"{BadInput.PayExToken}{PaymentPath}/authorizations%2F{TransactionId}", "nested transaction.id = PayEx URL with %2F");

        AddReference(BadInputCategory.Backslash, "flat", "payment", $"\\psp\\creditcard\\payments\\{PaymentId}");
        AddReference(BadInputCategory.Backslash, "nested", "payment.id", $"/psp/creditcard\\payments/{PaymentId}");
        AddReference(BadInputCategory.Backslash, "payment order v3.1", "paymentOrder.id", $"{BadInput.PayExToken}\\psp\\paymentorders\\{PaymentOrderId}", "payment order v3.1 paymentOrder.id = PayEx host then backslashes");
        AddReference(BadInputCategory.Backslash, "nested", "payment.id", $"{BadInput.PayExToken}\\@evil.example{PaymentPath}", "nested payment.id = PayEx host, backslash, @evil.example, path");

        AddReference(BadInputCategory.QueryOrFragment, "flat", "payment", $"{PaymentPath}?x=1");
        AddReference(BadInputCategory.QueryOrFragment, "nested", "payment.id", $"{PaymentPath}#fragment");
        AddReference(BadInputCategory.QueryOrFragment, "flat", "payment", $"{PaymentPath}%3Fx=1");
        AddReference(BadInputCategory.QueryOrFragment, "payment order v3.1", "paymentOrder.id", $"{BadInput.PayExToken}{PaymentOrderPath}?expand=all", "payment order v3.1 paymentOrder.id = PayEx URL with ?expand=all");
        AddReference(BadInputCategory.QueryOrFragment, "payment order v3.1", "paymentOrder.id", $"{BadInput.PayExToken}{PaymentOrderPath}?", "payment order v3.1 paymentOrder.id = PayEx URL with empty query");
        AddReference(BadInputCategory.QueryOrFragment, "nested", "transaction.id", $"{BadInput.PayExToken}{TransactionPath}#x", "nested transaction.id = PayEx URL with #x");

        AddReference(BadInputCategory.UserInfo, "flat", "payment", $"http://user:pass@{BadInput.AuthorityToken}{PaymentPath}", "flat payment = user:pass@ the PayEx host");
        AddReference(BadInputCategory.UserInfo, "nested", "payment.id", $"http://evil.example@{BadInput.AuthorityToken}{PaymentPath}", "nested payment.id = evil.example@ the PayEx host");
        AddReference(BadInputCategory.UserInfo, "payment order v3.1", "paymentOrder.id", $"http://{BadInput.AuthorityToken}@evil.example{PaymentOrderPath}", "payment order v3.1 paymentOrder.id = the PayEx host as user info of evil.example");
        AddReference(BadInputCategory.UserInfo, "nested", "transaction.id", $"https://api.payex.com@evil.example{TransactionPath}");

        AddReference(BadInputCategory.IpLiteralHost, "flat", "payment", $"http://10.0.0.1{PaymentPath}");
        AddReference(BadInputCategory.IpLiteralHost, "nested", "payment.id", $"http://[::1]{PaymentPath}");
        AddReference(BadInputCategory.IpLiteralHost, "payment order v3.1", "paymentOrder.id", $"http://169.254.169.254{PaymentOrderPath}");
        AddReference(BadInputCategory.IpLiteralHost, "nested", "transaction.id", $"http://[::ffff:127.0.0.1]:{BadInput.PortToken}{TransactionPath}", "nested transaction.id = http://[::ffff:127.0.0.1] on the PayEx port");
        AddReference(BadInputCategory.IpLiteralHost, "flat", "payment", $"http://127.0.0.2:{BadInput.PortToken}{PaymentPath}", "flat payment = http://127.0.0.2 on the PayEx port");

        AddReference(BadInputCategory.ForeignHost, "flat", "payment", $"https://evil.example{PaymentPath}");
        AddReference(BadInputCategory.ForeignHost, "nested", "payment.id", $"https://api.payex.com.evil.example{PaymentPath}");
        AddReference(BadInputCategory.ForeignHost, "payment order v3.1", "paymentOrder.id", $"https://api.externalintegration.payex.com{PaymentOrderPath}", "payment order v3.1 paymentOrder.id = a PayEx host that is not the configured one");
        AddReference(BadInputCategory.ForeignHost, "nested", "transaction.id", $"http://127.0.0.1.evil.example:{BadInput.PortToken}{TransactionPath}", "nested transaction.id = 127.0.0.1.evil.example on the PayEx port");
        AddReference(BadInputCategory.ForeignHost, "flat", "payment", $"http://127.0.0.1:1{PaymentPath}", "flat payment = the PayEx host on another port");
        AddReference(BadInputCategory.ForeignHost, "nested", "payment.id", $"//evil.example{PaymentPath}");

        AddReference(BadInputCategory.OtherScheme, "flat", "payment", $"javascript:alert(1)//{PaymentPath}");
        AddReference(BadInputCategory.OtherScheme, "nested", "payment.id", $"file://{PaymentPath}");
        AddReference(BadInputCategory.OtherScheme, "payment order v3.1", "paymentOrder.id", $"ftp://{BadInput.AuthorityToken}{PaymentOrderPath}", "payment order v3.1 paymentOrder.id = ftp:// the PayEx host");
        AddReference(BadInputCategory.OtherScheme, "nested", "transaction.id", $"https://{BadInput.AuthorityToken}{TransactionPath}", "nested transaction.id = https:// the (http) PayEx host");
        AddReference(BadInputCategory.OtherScheme, "flat", "payment", $"data:text/plain,{PaymentPath}");
        AddReference(BadInputCategory.OtherScheme, "nested", "payment.id", $"ws://{BadInput.AuthorityToken}{PaymentPath}", "nested payment.id = ws:// the PayEx host");

        var otherPayment = $"/psp/creditcard/payments/{OtherPaymentId}";
        AddReference(BadInputCategory.ForeignTransaction, "flat", "transaction", $"{otherPayment}/transactions/{TransactionId}", "flat transaction of another payment");
        AddReference(BadInputCategory.ForeignTransaction, "nested", "transaction.id", $"{otherPayment}/authorizations/{TransactionId}", "nested transaction of another payment");
        AddReference(BadInputCategory.ForeignTransaction, "payment order v2", "transaction.id", $"/psp/swish/payments/{OtherPaymentId}/sale/{TransactionId}", "payment order v2 transaction of another payment");
        AddReference(BadInputCategory.ForeignTransaction, "nested", "transaction.id", $"/psp/swish/payments/{PaymentId}/authorizations/{TransactionId}", "nested transaction of the same payment id under another instrument");

        AddMember(BadInputCategory.OversizedString, "payment order v3.1", "orderReference", $"\"{new string('R', 129)}\"", "orderReference of 129 characters");
        AddMember(BadInputCategory.OversizedString, "payment order v3.1", "orderReference", $"\"{new string('R', 10_000)}\"", "orderReference of 10,000 characters");
        AddMember(BadInputCategory.OversizedString, "payment order v3.1", "orderReference", $"\"{new string('é', 129)}\"", "orderReference of 129 two-byte characters");
        AddMember(BadInputCategory.OversizedString, "payment order v3.1", "paymentOrder.instrument", $"\"{new string('I', 65)}\"", "instrument of 65 characters");
        AddReference(BadInputCategory.OversizedString, "flat", "payment", $"{PaymentPath}/{new string('a', 512 - PaymentPath.Length)}", "payment path of 513 characters");
        AddReference(BadInputCategory.OversizedString, "nested", "payment.id", $"/psp/{new string('a', 41)}/payments/{PaymentId}", "instrument segment of 41 characters in payment.id");

        foreach (var (control, label) in new[] { ("\0", "NUL"), ("\n", "LF"), ("\t", "tab"), ("\u001b", "ESC"), ("\u007f", "DEL"), ("\u0085", "NEL"), ("\r\nX-Injected: 1", "CR LF header injection") })
        {
            AddMember(BadInputCategory.ControlCharacter, "payment order v3.1", "orderReference", System.Text.Json.JsonSerializer.Serialize("PO" + control + "1"), $"orderReference with {label}");
        }

        AddReference(BadInputCategory.ControlCharacter, "flat", "payment", PaymentPath + "\n", "payment path with a trailing LF");

        AddReference(BadInputCategory.UnknownTransactionCollection, "nested", "transaction.id", $"{PaymentPath}/refunds/{TransactionId}");
        AddReference(BadInputCategory.UnknownTransactionCollection, "nested", "transaction.id", $"{PaymentPath}/payments/{TransactionId}");
        AddReference(BadInputCategory.UnknownTransactionCollection, "flat", "transaction", $"{PaymentPath}/orderitems/{TransactionId}");
        AddReference(BadInputCategory.UnknownTransactionCollection, "payment order v2", "transaction.id", $"/psp/swish/payments/{PaymentId}/sal/{TransactionId}");

        AddReference(BadInputCategory.WrongResourceKind, "flat", "transaction", PaymentPath, "flat transaction = a payment path");
        AddReference(BadInputCategory.WrongResourceKind, "flat", "payment", $"{PaymentPath}/transactions/{TransactionId}", "flat payment = a transaction path");
        AddReference(BadInputCategory.WrongResourceKind, "nested", "payment.id", TransactionPath, "nested payment.id = a transaction path");
        AddReference(BadInputCategory.WrongResourceKind, "nested", "transaction.id", PaymentPath, "nested transaction.id = a payment path");
        AddReference(BadInputCategory.WrongResourceKind, "payment order v3.1", "paymentOrder.id", PaymentPath, "payment order v3.1 paymentOrder.id = a payment path");
        AddReference(BadInputCategory.WrongResourceKind, "payment order v2", "payment.id", PaymentOrderPath, "payment order v2 payment.id = a payment order path");

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
        {
            var hasBody = method == HttpMethod.Put || method == HttpMethod.Patch;
            cases.Add(new BadInput
            {
                Name = $"{Label(BadInputCategory.WrongMethod)}: {method}",
                Category = BadInputCategory.WrongMethod,
                ExpectedStatus = 404,
                Method = method,
                Body = hasBody ? valid : [],
            });
        }

        var key = HostProcess.TestCallbackKey;
        AddAuthentication(cases, "no key", valid, "", []);
        AddAuthentication(cases, "wrong key in x-functions-key", valid, "", [new("x-functions-key", "wrong-key-0123456789")]);
        AddAuthentication(cases, "wrong key as ?code=", valid, "?code=wrong-key-0123456789", []);
        AddAuthentication(cases, "empty ?code=", valid, "?code=", []);
        AddAuthentication(cases, "empty x-functions-key", valid, "", [new("x-functions-key", "")]);
        AddAuthentication(cases, "key missing its last character", valid, $"?code={key[..^1]}", []);
        AddAuthentication(cases, "two ?code= parameters, the first wrong", valid, $"?code=wrong-key-0123456789&code={key}", []);
        AddAuthentication(cases, "key as a bearer token", valid, "", [new("Authorization", $"Bearer {key}")]);
        cases.Add(Huge("no key, 10 MB body", 10 * 1024 * 1024, chunked: false, 401) with
        {
            Name = $"{Label(BadInputCategory.Authentication)}: no key, 10 MB body",
            Category = BadInputCategory.Authentication,
            Client = CaseClient.Raw,
        });

        var signature = CallbackSignature.Sign("ABC123", SigningSecret);
        AddSignature(cases, "?order=ABC123&sig=wrong", valid);
        AddSignature(cases, "?order=ABC123 without sig", valid, "?order=ABC123");
        AddSignature(cases, "?sig= without order", valid, $"?sig={signature}");
        AddSignature(cases, "signature of ABC123 for ?order=ABC124", valid, $"?order=ABC124&sig={signature}");
        AddSignature(cases, "order given twice", valid, $"?order=ABC123&order=XYZ&sig={signature}");
        AddSignature(cases, "signature under another secret", valid, $"?order=ABC123&sig={CallbackSignature.Sign("ABC123", SigningSecret + "-other")}");
        AddSignature(cases, "order with a NUL", valid, $"?order=ABC%00123&sig={signature}");
        AddSignature(cases, "43 characters that are not base64url", valid, $"?order=ABC123&sig={new string('!', 43)}");

        return cases;
    }

    private static void AddTruncated(List<BadInput> cases, Action<BadInputCategory, string, int, byte[], string?> add)
    {
        foreach (var file in ExampleFiles)
        {
            var bytes = File.ReadAllBytes(RepoPaths.TestData(file));
            var length = bytes.AsSpan().TrimEnd(" \r\n\t"u8).Length;
            foreach (var cut in new[] { length / 3, 2 * length / 3, length - 1 })
            {
                add(BadInputCategory.TruncatedJson, $"{file} cut to {cut} of {length} bytes", 400, bytes[..cut], Json);
            }
        }
    }

    private static void AddBrokenJson(Action<BadInputCategory, string, string, int> add)
    {
        var flat = Flat().ToJsonString();
        var v31 = PaymentOrderV31().ToJsonString();
        void Add(string name, string body) => add(BadInputCategory.BrokenJson, name, body, 400);

        Add("a lone {", "{");
        Add("trailing comma", flat[..^1] + ",}");
        Add("single-quoted strings", flat.Replace('"', '\''));
        Add("block comment", "/* hello */" + flat);
        Add("unquoted keys", flat.Replace("\"payment\":", "payment:", StringComparison.Ordinal));
        Add("NaN as paymentNumber", flat.Replace("123456", "NaN", StringComparison.Ordinal));
        Add("leading zero in paymentNumber", flat.Replace("123456", "0123456", StringComparison.Ordinal));
        Add("trailing garbage after the object", flat + "x");
        Add("two objects back to back", flat + flat);
        Add("missing comma between members", flat.Replace(",\"paymentNumber\"", "\"paymentNumber\"", StringComparison.Ordinal));
        Add("raw LF inside a string", v31.Replace("549213", "5492\n13", StringComparison.Ordinal));
        Add("invalid escape \\x41", v31.Replace("549213", "\\x41", StringComparison.Ordinal));
        Add("lone high surrogate escape in orderReference", v31.Replace("549213", "\\ud800", StringComparison.Ordinal));
        Add("lone low surrogate escape in the flat payment path", flat.Replace(PaymentId, PaymentId + "\\udc00", StringComparison.Ordinal));
        Add("lone surrogate escape in a key", v31[..^1] + ",\"k\\ud800\":1}");
    }

    private static void AddWrongTypes(Action<BadInputCategory, string, string, string, string?, int> add)
    {
        void Add(string shape, string member, params string[] values)
        {
            foreach (var value in values)
            {
                add(BadInputCategory.WrongType, shape, member, value, null, 400);
            }
        }

        // Strings where strings are expected, numbers (or their digit strings) where numbers are.
        Add("flat", "payment", "123", "[]");
        Add("flat", "paymentNumber", "\"abc\"", "1.5", "0", "true", "\"12 34\"");
        Add("flat", "transaction", "{}");
        Add("flat", "transactionNumber", "\"1x\"");
        Add("nested", "payment", "42");
        Add("nested", "payment.id", "1", "{}");
        Add("nested", "payment.number", "\"abc\"", "2.5");
        Add("nested", "transaction", $"\"{TransactionPath}\"");
        Add("nested", "transaction.id", "false");
        Add("nested", "transaction.number", "-7", "\"seven\"");
        Add("payment order v2", "paymentOrder", $"\"{PaymentOrderPath}\"", "[]");
        Add("payment order v2", "paymentOrder.id", "1");
        Add("payment order v2", "paymentOrder.instrument", "{}", "true");
        Add("payment order v2", "orderReference", "549213", "[]");
        Add("payment order v3.1", "paymentOrder.number", "\"abc\"", "1.5", "0");
        Add("payment order v3.1", "paymentOrder.id", "{}");
    }

    private static void AddByteOrderMarks(Action<BadInputCategory, string, int, byte[], string?> add)
    {
        var flat = Flat().ToJsonString();
        var v31 = PaymentOrderV31().ToJsonString();
        byte[] utf8Bom = [0xEF, 0xBB, 0xBF];
        void Add(string name, byte[] body, string contentType = Json, int status = 400) => add(BadInputCategory.ByteOrderMark, name, status, body, contentType);

        Add("UTF-8 BOM before a valid flat callback", [.. utf8Bom, .. Encoding.UTF8.GetBytes(flat)]);
        Add("UTF-8 BOM before a valid v3.1 callback", [.. utf8Bom, .. Encoding.UTF8.GetBytes(v31)]);
        Add("two UTF-8 BOMs", [.. utf8Bom, .. utf8Bom, .. Encoding.UTF8.GetBytes(flat)]);
        Add("UTF-8 BOM after a leading space", [(byte)' ', .. utf8Bom, .. Encoding.UTF8.GetBytes(flat)]);
        Add("UTF-16 LE BOM and UTF-16 LE content", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(flat)]);
        Add("UTF-16 BE BOM and UTF-16 BE content", [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(flat)]);
        Add("UTF-16 LE content without a BOM", Encoding.Unicode.GetBytes(flat));
        Add("UTF-32 LE BOM and UTF-32 LE content", [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(flat)]);
        Add("UTF-16 LE BOM and content declared charset=utf-16", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(flat)], "application/json; charset=utf-16", 415);
    }

    private static void AddInvalidUtf8(Action<BadInputCategory, string, int, byte[], string?> add)
    {
        var sequences = new (string Name, byte[] Bytes)[]
        {
            ("overlong '/' C0 AF", [0xC0, 0xAF]),
            ("overlong 3-byte E0 80 AF", [0xE0, 0x80, 0xAF]),
            ("lone continuation byte 80", [0x80]),
            ("encoded surrogate ED A0 80", [0xED, 0xA0, 0x80]),
            ("truncated 3-byte sequence E2 82", [0xE2, 0x82]),
            ("byte FF", [0xFF]),
            ("above U+10FFFF F4 90 80 80", [0xF4, 0x90, 0x80, 0x80]),
        };

        void Add(string name, params byte[][] parts) => add(BadInputCategory.InvalidUtf8, name, 400, parts.SelectMany(p => p).ToArray(), Json);

        foreach (var (name, bytes) in sequences)
        {
            Add($"{name} in orderReference", "{\"orderReference\":\"PO"u8.ToArray(), bytes, Encoding.UTF8.GetBytes("1\",\"paymentOrder\":{\"id\":\"" + PaymentOrderPath + "\"}}"));
        }

        foreach (var (name, bytes) in sequences.Where(s => s.Name.StartsWith("overlong '/'", StringComparison.Ordinal) || s.Name.StartsWith("lone", StringComparison.Ordinal) || s.Name.StartsWith("encoded", StringComparison.Ordinal) || s.Name.StartsWith("byte FF", StringComparison.Ordinal)))
        {
            Add($"{name} in a key", Encoding.UTF8.GetBytes("{\"paymentOrder\":{\"id\":\"" + PaymentOrderPath + "\"},\"k"), bytes, "\":1}"u8.ToArray());
        }

        Add("truncated sequence E2 82 in the payment path", Encoding.UTF8.GetBytes("{\"payment\":{\"id\":\"" + PaymentPath), [0xE2, 0x82], "\"}}"u8.ToArray());
        Add("truncated 2-byte sequence C3 after the object", Encoding.UTF8.GetBytes(PaymentOrderV31().ToJsonString()), [0xC3]);
    }

    private static void AddAuthentication(List<BadInput> cases, string name, byte[] body, string query, IReadOnlyList<KeyValuePair<string, string>> headers) =>
        cases.Add(new BadInput
        {
            Name = $"{Label(BadInputCategory.Authentication)}: {name}",
            Category = BadInputCategory.Authentication,
            ExpectedStatus = 401,
            Body = body,
            Query = query,
            Headers = headers,
            Client = CaseClient.Raw,
        });

    private static void AddSignature(List<BadInput> cases, string name, byte[] body, string? query = null) =>
        cases.Add(new BadInput
        {
            Name = $"{Label(BadInputCategory.Signature)}: {name}",
            Category = BadInputCategory.Signature,
            ExpectedStatus = 403,
            Body = body,
            Query = query ?? name,
        });

    private static BadInput Huge(string name, long length, bool chunked, int status) => new()
    {
        Name = $"{Label(BadInputCategory.HugeBody)}: {name}",
        Category = BadInputCategory.HugeBody,
        ExpectedStatus = status,
        Huge = new HugeBody(length, chunked),
    };

    /// <summary>The document <paramref name="callback"/> with a member <c>deep</c> nested so that the whole is <paramref name="depth"/> levels deep.</summary>
    private static string Deep(JsonObject callback, int depth, string open, string close)
    {
        var inner = depth - 1;
        var tail = open == "[" ? "" : "1";
        return callback.ToJsonString()[..^1] + ",\"deep\":" + string.Concat(Enumerable.Repeat(open, inner)) + tail + string.Concat(Enumerable.Repeat(close, inner)) + "}";
    }

    private static string ReplaceFirst(string text, string old, string replacement)
    {
        var at = text.IndexOf(old, StringComparison.Ordinal);
        return text[..at] + replacement + text[(at + old.Length)..];
    }

    private static JsonObject Set(JsonObject root, string member, JsonNode? value)
    {
        var parts = member.Split('.');
        var target = root;
        foreach (var part in parts[..^1])
        {
            target = target[part]!.AsObject();
        }

        target[parts[^1]] = value;
        return root;
    }

    private static string Label(BadInputCategory category) => category switch
    {
        BadInputCategory.TruncatedJson => "truncated JSON",
        BadInputCategory.BrokenJson => "broken JSON",
        BadInputCategory.WrongType => "wrong type",
        BadInputCategory.NullRequiredMember => "null required member",
        BadInputCategory.HugeNumber => "huge number",
        BadInputCategory.DeepNesting => "deep nesting",
        BadInputCategory.DuplicateKey => "duplicate key",
        BadInputCategory.ByteOrderMark => "byte order mark",
        BadInputCategory.InvalidUtf8 => "invalid UTF-8",
        BadInputCategory.EmptyBody => "empty body",
        BadInputCategory.NotAnObject => "not an object",
        BadInputCategory.HugeBody => "huge body",
        BadInputCategory.ContentType => "content type",
        BadInputCategory.PathTraversal => "path traversal",
        BadInputCategory.EncodedSlash => "encoded slash",
        BadInputCategory.Backslash => "backslash",
        BadInputCategory.QueryOrFragment => "query or fragment",
        BadInputCategory.UserInfo => "user info",
        BadInputCategory.IpLiteralHost => "IP literal host",
        BadInputCategory.ForeignHost => "foreign host",
        BadInputCategory.OtherScheme => "other scheme",
        BadInputCategory.ForeignTransaction => "transaction of another payment",
        BadInputCategory.OversizedString => "oversized string",
        BadInputCategory.ControlCharacter => "control character",
        BadInputCategory.UnknownTransactionCollection => "unknown transaction collection",
        BadInputCategory.WrongResourceKind => "wrong resource kind",
        BadInputCategory.WrongMethod => "wrong method",
        BadInputCategory.Authentication => "authentication",
        BadInputCategory.Signature => "signature",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, null),
    };
}
