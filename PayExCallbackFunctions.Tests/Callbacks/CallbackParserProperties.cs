using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Processing;
using PayExCallbackFunctions.Storage;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Callbacks;

/// <summary>
/// Property-based tests (FsCheck) of <see cref="CallbackParser"/> and <see cref="PayExPath"/>: any body is
/// either accepted or refused with reasons, any accepted path is normalised, and every valid callback of
/// the four shapes is read as it was generated and survives the trip through the queue. A failure prints
/// the counterexample and the seed; <c>[Property(Replay = "seed,gamma")]</c> reruns it.
/// </summary>
public class CallbackParserProperties
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<Uri, CallbackParser> Parsers = CallbackGen.BaseUrls.ToDictionary(u => u, u => new CallbackParser(u));

    [Property(MaxTest = 2000)]
    public Property Any_body_is_accepted_or_refused_with_reasons_and_never_throws() =>
        Prop.ForAll(Arb.From(CallbackGen.AnyBody, CallbackGen.Shrink), c => Prop.Collect(true, CheckAnyBody(c)));

    [Property(MaxTest = 800)]
    public Property Every_valid_callback_is_read_as_generated_and_survives_the_queue() =>
        Prop.ForAll(Arb.From(CallbackGen.ValidCallback), c => Prop.Collect(true, CheckValid(c)));

    [Property(MaxTest = 3000)]
    public Property PayExPath_never_throws_and_accepts_only_normalised_psp_paths() =>
        Prop.ForAll(Arb.From(CallbackGen.PathReferences, ShrinkPath), c => Prop.Collect(true, CheckPath(c)));

    [Property(MaxTest = 3000)]
    public Property An_accepted_reference_names_exactly_the_resource_it_is_read_as() =>
        Prop.ForAll(Arb.From(CallbackGen.PathReferences, ShrinkPath), CheckPathNamesItself);

    private static IEnumerable<PathCase> ShrinkPath(PathCase c) =>
        c.Reference is null ? [] : TextGen.Shrink(c.Reference, 0).Select(r => c with { Reference = r });

    /// <summary>Checks one body; says what became of it, for the distribution FsCheck prints.</summary>
    private static string CheckAnyBody(FuzzCase c)
    {
        var ok = Parsers[c.BaseUrl].TryParse(c.Body, "fuzz-1", Now, out var envelope, out var rejection);
        Assert.Equal(ok, envelope is not null);
        Assert.Equal(ok, rejection is null);
        if (rejection is not null)
        {
            Assert.False(string.IsNullOrWhiteSpace(rejection.Title));
            Assert.NotEmpty(rejection.Errors);
            Assert.All(rejection.Errors, e =>
            {
                Assert.False(string.IsNullOrEmpty(e.Key));
                Assert.NotEmpty(e.Value);
                Assert.All(e.Value, reason => Assert.False(string.IsNullOrWhiteSpace(reason)));
            });
            return rejection.Title;
        }

        // Whatever got through is as well-formed as a generated valid callback.
        var accepted = envelope!;
        Assert.Equal(Encoding.UTF8.GetString(c.Body), accepted.RawBody);
        AssertEnvelopePath(accepted.PaymentOrder, PayExResourceKind.PaymentOrder, c.BaseUrl);
        AssertEnvelopePath(accepted.Payment, PayExResourceKind.Payment, c.BaseUrl);
        AssertEnvelopePath(accepted.Transaction, PayExResourceKind.Transaction, c.BaseUrl);
        if (accepted.Transaction is { } transaction)
        {
            Assert.True(PayExPath.TryParseRelative(transaction, out var t, out _));
            Assert.Equal(t.PaymentPath, accepted.Payment);
        }

        switch (accepted.Shape)
        {
            case CallbackShape.V1Flat or CallbackShape.V1Nested:
                Assert.NotNull(accepted.Payment);
                Assert.Null(accepted.PaymentOrder);
                Assert.Null(accepted.Instrument);
                break;
            case CallbackShape.PaymentOrder:
                Assert.NotNull(accepted.PaymentOrder);
                Assert.NotNull(accepted.Payment);
                break;
            default:
                Assert.NotNull(accepted.PaymentOrder);
                Assert.Null(accepted.Payment);
                Assert.Null(accepted.Transaction);
                break;
        }

        foreach (var number in new[] { accepted.PaymentOrderNumber, accepted.PaymentNumber, accepted.TransactionNumber })
        {
            Assert.True(number is null or > 0, $"number {number}");
        }

        Assert.True(accepted.OrderReference is null || (accepted.OrderReference.Length <= 128 && !accepted.OrderReference.Any(char.IsControl)));
        Assert.True(accepted.Instrument is null || (accepted.Instrument.Length <= 64 && !accepted.Instrument.Any(char.IsControl)));
        AssertSurvivesQueue(accepted);
        return $"accepted ({accepted.Shape})";
    }

    private static CallbackShape CheckValid(ValidCase c)
    {
        var ok = Parsers[c.BaseUrl].TryParse(Encoding.UTF8.GetBytes(c.Body), c.Expected.Id, c.Expected.ReceivedAt, out var envelope, out var rejection);
        Assert.True(ok, rejection is null ? null : Describe(rejection));
        Assert.NotNull(envelope);
        Assert.Equal(c.Expected, envelope);
        Assert.Equal(c.Expected.ReceivedAt.Offset, envelope.ReceivedAt.Offset);
        AssertSurvivesQueue(envelope);
        AssertSurvivesQueue(envelope with { SignedOrderReference = c.SignedOrderReference });
        return envelope.Shape;
    }

    /// <summary>
    /// Encoded as <see cref="CallbackQueue"/> does, then read back in each form a Functions host may hand it over: as it
    /// is (messageEncoding none, decoded by the app) and decoded from base64 (an older build's host).
    /// </summary>
    private static void AssertSurvivesQueue(CallbackEnvelope envelope)
    {
        var expectedJson = JsonSerializer.Serialize(envelope, AppJson.Context.CallbackEnvelope);
        var body = CallbackQueue.Encode(envelope).ToString();
        foreach (var delivered in new[] { body, Encoding.UTF8.GetString(Convert.FromBase64String(body)) })
        {
            var text = new DeliveredMessage(delivered, "m1", 1).Text;
            using var document = JsonDocument.Parse(text);
            var read = CallbackMessage.Read(text);
            Assert.Equal(envelope, read);
            Assert.Equal(expectedJson, JsonSerializer.Serialize(read, AppJson.Context.CallbackEnvelope));
        }
    }

    private static void AssertEnvelopePath(string? value, PayExResourceKind kind, Uri baseUrl)
    {
        if (value is null)
        {
            return;
        }

        Assert.True(PayExPath.TryParseRelative(value, out var path, out var error), $"{value}: {error}");
        Assert.Equal(value, path.Value);
        Assert.Equal(kind, path.Kind);
        AssertNormalised(path, baseUrl);
    }

    private static string CheckPath(PathCase c)
    {
        var parsed = PayExPath.TryParse(c.Reference, c.BaseUrl, out var path, out var error);
        Assert.Equal(parsed, path is not null);
        Assert.Equal(parsed, error is null);
        Assert.True(parsed || !string.IsNullOrWhiteSpace(error));
        if (path is not null)
        {
            AssertNormalised(path, c.BaseUrl);
        }

        var relative = PayExPath.TryParseRelative(c.Reference, out var relativePath, out var relativeError);
        Assert.Equal(relative, relativePath is not null);
        Assert.Equal(relative, relativeError is null);
        if (relativePath is not null)
        {
            AssertNormalised(relativePath, c.BaseUrl);

            // A relative path means the same whichever way it is parsed.
            Assert.Equal(relativePath, path);
        }

        return path is null ? $"refused: {error}" : $"accepted {path.Kind} ({(c.Reference!.StartsWith('/') ? "relative" : "absolute")})";
    }

    /// <summary>The normalised form: /psp/ and letters, digits, '-' and '/'; parsing it again, in any form, gives it back.</summary>
    private static void AssertNormalised(PayExPath path, Uri baseUrl)
    {
        var value = path.Value;
        Assert.Matches(Normalised.Any, value);
        foreach (var forbidden in new[] { "..", "%", "?", "#", "\\", "//" })
        {
            Assert.DoesNotContain(forbidden, value, StringComparison.Ordinal);
        }

        var match = path.Kind switch
        {
            PayExResourceKind.PaymentOrder => Normalised.PaymentOrder.Match(value),
            PayExResourceKind.Payment => Normalised.Payment.Match(value),
            _ => Normalised.Transaction.Match(value),
        };
        Assert.True(match.Success, $"{value} is not a normalised {path.Kind} path");
        Assert.Equal(Guid.Parse(match.Groups["id"].Value), path.Id);
        if (path.Kind == PayExResourceKind.PaymentOrder)
        {
            Assert.Equal(Guid.Empty, path.PaymentId);
            Assert.Null(path.Instrument);
        }
        else
        {
            Assert.NotEqual("paymentorders", match.Groups["instrument"].Value);
            Assert.Equal(match.Groups["instrument"].Value, path.Instrument);
            Assert.Equal(Guid.Parse(match.Groups["payment"].Value), path.PaymentId);
        }

        if (path.Kind == PayExResourceKind.Transaction)
        {
            Assert.Equal(match.Groups["paymentPath"].Value, path.PaymentPath);
        }

        // Idempotence, however it is given again.
        Assert.True(PayExPath.TryParseRelative(value, out var again, out var error), error);
        Assert.Equal(path, again);
        Assert.True(PayExPath.TryParse(value, baseUrl, out again, out error), error);
        Assert.Equal(path, again);
        Assert.True(PayExPath.TryParse(new Uri(baseUrl, value).AbsoluteUri, baseUrl, out again, out error), error);
        Assert.Equal(path, again);
    }

    /// <summary>
    /// An accepted reference is read as the very resource it names: the same segments (up to case, and
    /// "sale" for "sales"), and for an absolute URL the configured host, as <see cref="Uri"/> reads it.
    /// </summary>
    private static void CheckPathNamesItself(PathCase c)
    {
        if (!PayExPath.TryParse(c.Reference, c.BaseUrl, out var path, out _))
        {
            return;
        }

        var reference = c.Reference!;
        string named;
        if (reference.StartsWith('/'))
        {
            named = reference;
        }
        else
        {
            Assert.True(Uri.TryCreate(reference, UriKind.Absolute, out var url));
            Assert.Equal(c.BaseUrl.Scheme, url.Scheme, ignoreCase: true);
            Assert.Equal(c.BaseUrl.IdnHost, url.IdnHost, ignoreCase: true);
            Assert.Equal(c.BaseUrl.Port, url.Port);
            Assert.Empty(url.UserInfo);
            Assert.Empty(url.Query);
            Assert.Empty(url.Fragment);
            named = url.AbsolutePath;
        }

        var given = named.Split('/');
        var read = path.Value.Split('/');
        Assert.True(given.Length == read.Length, $"{TextGen.Show(reference)} names {TextGen.Show(named)}, read as {path.Value}");
        for (var i = 0; i < given.Length; i++)
        {
            var same = string.Equals(given[i], read[i], StringComparison.OrdinalIgnoreCase)
                || (path.Kind == PayExResourceKind.Transaction && i == 5 && string.Equals(given[i], "sale", StringComparison.OrdinalIgnoreCase) && read[i] == "sales");
            Assert.True(same, $"{TextGen.Show(reference)} names {TextGen.Show(named)}, read as {path.Value}");
        }
    }

    private static string Describe(CallbackRejection rejection) =>
        $"{rejection.Title} {string.Join("; ", rejection.Errors.Select(e => $"{e.Key}: {string.Join(",", e.Value)}"))}";
}

/// <summary>What an accepted path must look like.</summary>
internal static partial class Normalised
{
    private const string G = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    public static Regex Any { get; } = new(@"^/psp/[A-Za-z0-9/\-]+\z", RegexOptions.CultureInvariant);

    public static Regex PaymentOrder { get; } = new($@"^/psp/paymentorders/(?<id>{G})\z", RegexOptions.CultureInvariant);

    public static Regex Payment { get; } = new($@"^/psp/(?<instrument>[a-z][a-z0-9\-]{{0,39}})/payments/(?<payment>(?<id>{G}))\z", RegexOptions.CultureInvariant);

    public static Regex Transaction { get; } = new(
        $@"^(?<paymentPath>/psp/(?<instrument>[a-z][a-z0-9\-]{{0,39}})/payments/(?<payment>{G}))/(transactions|authorizations|captures|cancellations|reversals|sales)/(?<id>{G})\z",
        RegexOptions.CultureInvariant);
}

/// <summary>A body for the parser, said how it was made.</summary>
internal sealed record FuzzCase(Uri BaseUrl, byte[] Body, string Origin)
{
    public override string ToString() => $"{Origin}; base {BaseUrl}; {Body.Length} bytes: {TextGen.ShowBytes(Body)}";
}

/// <summary>A valid callback and the envelope it must be read as.</summary>
internal sealed record ValidCase(Uri BaseUrl, TreeNode Tree, string Body, CallbackEnvelope Expected, string SignedOrderReference)
{
    public override string ToString() => $"base {BaseUrl}; body {TextGen.Show(Body)}; expected {Expected}";
}

internal sealed record PathCase(Uri BaseUrl, string? Reference)
{
    public override string ToString() => $"{TextGen.Show(Reference)} on {BaseUrl}";
}

/// <summary>A JSON document as written, duplicate member names and all (which a JsonNode cannot hold).</summary>
internal abstract record TreeNode
{
    public static TreeNode Null { get; } = new TreeRaw("null");

    public static TreeNode From(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new TreeObject(element.EnumerateObject().Select(p => new KeyValuePair<string, TreeNode>(p.Name, From(p.Value))).ToList()),
        JsonValueKind.Array => new TreeArray(element.EnumerateArray().Select(From).ToList()),
        JsonValueKind.String => new TreeString(element.GetString()!),
        _ => new TreeRaw(element.GetRawText()),
    };
}

internal sealed record TreeString(string Value) : TreeNode;

/// <summary>A token written as it is: a number, a literal, or anything at all.</summary>
internal sealed record TreeRaw(string Text) : TreeNode;

internal sealed record TreeArray(IReadOnlyList<TreeNode> Items) : TreeNode;

internal sealed record TreeObject(IReadOnlyList<KeyValuePair<string, TreeNode>> Members) : TreeNode;

/// <summary>Writes a <see cref="TreeNode"/> as JSON text; with <c>fancy</c>, with random whitespace and escapes.</summary>
internal sealed class TreeWriter
{
    private readonly StringBuilder _text = new();
    private readonly Random _random;
    private readonly bool _fancy;

    private TreeWriter(Random random, bool fancy)
    {
        _random = random;
        _fancy = fancy;
    }

    public static string Write(TreeNode node, int seed, bool fancy)
    {
        var writer = new TreeWriter(new Random(seed), fancy);
        writer.Space();
        writer.Value(node);
        writer.Space();
        return writer._text.ToString();
    }

    private void Space()
    {
        if (_fancy && _random.Next(3) == 0)
        {
            for (var n = _random.Next(1, 4); n > 0; n--)
            {
                _text.Append(" \t\r\n"[_random.Next(4)]);
            }
        }
    }

    private void Value(TreeNode node)
    {
        switch (node)
        {
            case TreeString s:
                String(s.Value);
                break;
            case TreeRaw raw:
                _text.Append(raw.Text);
                break;
            case TreeArray array:
                _text.Append('[');
                for (var i = 0; i < array.Items.Count; i++)
                {
                    Space();
                    Value(array.Items[i]);
                    Space();
                    if (i < array.Items.Count - 1)
                    {
                        _text.Append(',');
                    }
                }

                Space();
                _text.Append(']');
                break;
            case TreeObject obj:
                _text.Append('{');
                for (var i = 0; i < obj.Members.Count; i++)
                {
                    Space();
                    String(obj.Members[i].Key);
                    Space();
                    _text.Append(':');
                    Space();
                    Value(obj.Members[i].Value);
                    Space();
                    if (i < obj.Members.Count - 1)
                    {
                        _text.Append(',');
                    }
                }

                Space();
                _text.Append('}');
                break;
        }
    }

    private void String(string value)
    {
        _text.Append('"');
        foreach (var rune in value.EnumerateRunes())
        {
            var escape = _fancy && _random.Next(10) == 0;
            switch (rune.Value)
            {
                case '"':
                    _text.Append(escape ? "\\u0022" : "\\\"");
                    break;
                case '\\':
                    _text.Append(escape ? "\\u005c" : "\\\\");
                    break;
                case '/' when escape:
                    _text.Append("\\/");
                    break;
                case '\n':
                    _text.Append("\\n");
                    break;
                case '\t':
                    _text.Append("\\t");
                    break;
                case < 0x20:
                    _text.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}");
                    break;
                default:
                    if (escape)
                    {
                        var format = _random.Next(2) == 0 ? "x4" : "X4";
                        foreach (var unit in rune.ToString())
                        {
                            _text.Append("\\u").Append(((int)unit).ToString(format, CultureInfo.InvariantCulture));
                        }
                    }
                    else
                    {
                        _text.Append(rune.ToString());
                    }

                    break;
            }
        }

        _text.Append('"');
    }
}

/// <summary>Generators of callbacks, of bodies that are nearly callbacks, and of path references.</summary>
internal static class CallbackGen
{
    public static readonly Uri[] BaseUrls =
    [
        new("https://api.externalintegration.payex.com"),
        new("https://api.payex.com/"),
        new("http://127.0.0.1:5081"),
    ];

    public static readonly string[] RootMembers = ["paymentOrder", "payment", "transaction", "orderReference", "paymentNumber", "transactionNumber"];

    public static readonly string[] InnerMembers = ["id", "number", "instrument"];

    private static readonly (string Sent, string Canonical)[] Collections =
    [
        ("transactions", "transactions"), ("authorizations", "authorizations"), ("captures", "captures"),
        ("cancellations", "cancellations"), ("reversals", "reversals"), ("sales", "sales"), ("sale", "sales"),
    ];

    private static readonly string[] ExampleFiles =
    [
        "callback-v1-flat.json", "callback-v1-nested-instrument.json", "callback-v2-paymentorder-with-orderreference.json",
        "callback-v2-v3.0-paymentorder.json", "callback-v3.1-paymentorder-orderreference.sdk-php.json", "callback-v3.1-paymentorder.json",
    ];

    private static readonly Lazy<(string Name, TreeNode Tree)[]> Examples = new(() => ExampleFiles
        .Select(f =>
        {
            using var document = JsonDocument.Parse(File.ReadAllText(RepoPaths.TestData(f)));
            return (f, TreeNode.From(document.RootElement));
        })
        .ToArray());

    public static Gen<int> Seeds { get; } = Gen.Choose(0, int.MaxValue);

    public static Gen<bool> Coin(int trueWeight, int falseWeight) =>
        Gen.Frequency((trueWeight, Gen.Constant(true)), (falseWeight, Gen.Constant(false)));

    // ---- the pieces of a valid callback ----

    public static Gen<Guid> Guids { get; } = Seeds.Select(seed =>
    {
        var bytes = new byte[16];
        new Random(seed).NextBytes(bytes);
        return new Guid(bytes);
    });

    /// <summary>As given, upper case, lower case, or each letter either.</summary>
    public static Gen<string> AnyCase(string s) => Gen.Frequency(
        (3, Gen.Constant(s)),
        (1, Gen.Constant(s.ToUpperInvariant())),
        (1, Gen.Constant(s.ToLowerInvariant())),
        (2, Seeds.Select(seed => MixCase(s, new Random(seed)))));

    private static string MixCase(string s, Random random) =>
        string.Concat(s.Select(ch => random.Next(2) == 0 ? char.ToUpperInvariant(ch) : char.ToLowerInvariant(ch)));

    /// <summary>The first segment of a payment path: one PayEx uses, or any the pattern allows.</summary>
    public static Gen<string> Instruments { get; } = Gen.Frequency(
            (4, Gen.Elements("creditcard", "swish", "vipps", "invoice", "mobilepay", "trustly", "creditaccount", "CreditCard", "payments")),
            (2, Seeds.Select(seed => Segment(new Random(seed)))))
        .Where(s => !string.Equals(s, "paymentorders", StringComparison.OrdinalIgnoreCase));

    private static string Segment(Random random)
    {
        const string Letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        const string Rest = Letters + "0123456789-";
        var length = random.Next(4) == 0 ? 40 : random.Next(1, 41);
        var segment = new StringBuilder().Append(Letters[random.Next(Letters.Length)]);
        while (segment.Length < length)
        {
            segment.Append(Rest[random.Next(Rest.Length)]);
        }

        return segment.ToString();
    }

    public static Gen<long> Positive { get; } = Gen.Frequency(
        (3, Gen.Choose(1, 1_000_000).Select(i => (long)i)),
        (3, Seeds.Select(seed => new Random(seed).NextInt64(1, long.MaxValue))),
        (1, Gen.Elements(1L, long.MaxValue, int.MaxValue + 1L, 9_007_199_254_740_993L, 40129161258L)));

    /// <summary>A path as sent (any case) and as it must be read.</summary>
    internal sealed record PathSpec(string Text, string Value);

    private static Gen<string> GuidText(Guid id) => AnyCase(id.ToString("D"));

    private static string Lower(string s) => s.ToLowerInvariant();

    public static Gen<PathSpec> PaymentPath(string instrument, Guid id) =>
        from i in AnyCase(instrument)
        from g in GuidText(id)
        select new PathSpec($"/psp/{i}/payments/{g}", $"/psp/{Lower(instrument)}/payments/{id:D}");

    public static Gen<PathSpec> TransactionPath(string instrument, Guid paymentId) =>
        from i in AnyCase(instrument)
        from g in GuidText(paymentId)
        from collection in Gen.Elements(Collections)
        from c in AnyCase(collection.Sent)
        from transactionId in Guids
        from t in GuidText(transactionId)
        select new PathSpec($"/psp/{i}/payments/{g}/{c}/{t}", $"/psp/{Lower(instrument)}/payments/{paymentId:D}/{collection.Canonical}/{transactionId:D}");

    public static Gen<PathSpec> PaymentOrderPath(Guid id) =>
        from p in AnyCase("paymentorders")
        from g in GuidText(id)
        select new PathSpec($"/psp/{p}/{g}", $"/psp/paymentorders/{id:D}");

    /// <summary>The path itself, or an absolute URL on the configured host.</summary>
    public static Gen<string> Reference(PathSpec path, Uri baseUrl) => Gen.Frequency(
        (3, Gen.Constant(path.Text)),
        (2,
            from scheme in AnyCase(baseUrl.Scheme)
            from host in AnyCase(baseUrl.Host)
            from port in baseUrl.IsDefaultPort ? Gen.Elements("", $":{baseUrl.Port}") : Gen.Constant($":{baseUrl.Port}")
            select $"{scheme}://{host}{port}{path.Text}"));

    public static Gen<TreeNode> NumberJson(long n, bool strings)
    {
        var digits = n.ToString(CultureInfo.InvariantCulture);
        var asNumber = Gen.Constant<TreeNode>(new TreeRaw(digits));
        return strings
            ? Gen.Frequency(
                (2, asNumber),
                (2, Gen.Constant<TreeNode>(new TreeString(digits))),
                (1, Gen.Choose(1, Math.Max(1, 19 - digits.Length)).Select(z => (TreeNode)new TreeString(new string('0', Math.Min(z, 19 - digits.Length)) + digits))))
            : asNumber;
    }

    /// <summary>A number, absent, or sent as null.</summary>
    public static Gen<(long? Value, TreeNode? Json)> OptionalNumber(bool strings) => Gen.Frequency(
        (4, from n in Positive from json in NumberJson(n, strings) select ((long?)n, (TreeNode?)json)),
        (1, Gen.Constant(((long?)null, (TreeNode?)null))),
        (1, Gen.Constant(((long?)null, (TreeNode?)TreeNode.Null))));

    /// <summary>A value, absent, or sent as null.</summary>
    public static Gen<(T? Value, TreeNode? Json)> Optional<T>(Gen<T> present, Func<T, TreeNode> json)
        where T : class => Gen.Frequency(
        (4, present.Select(v => ((T?)v, (TreeNode?)json(v)))),
        (1, Gen.Constant(((T?)null, (TreeNode?)null))),
        (1, Gen.Constant(((T?)null, (TreeNode?)TreeNode.Null))));

    public static Gen<string> InstrumentNames { get; } = Gen.Frequency(
        (3, Gen.Elements("paymentorders", "CreditCard", "Swish", "Invoice", "Vipps", "MobilePay", "Trustly", "")),
        (2, TextGen.Printable(0, 64)));

    public static Gen<string> OrderReferences { get; } = Gen.Frequency(
        (2, Gen.Elements("ABC123", "PO-638423890947905216", "549213", "ordre-ÆØÅ-1", "注文-42", "a")),
        (3, TextGen.Printable(1, 128)),
        (1, TextGen.Printable(120, 128)));

    /// <summary>Ids as the acknowledge function makes them, or any a queue message may carry.</summary>
    public static Gen<string> CallbackIds { get; } = Gen.Frequency(
        (2, Guids.Select(g => g.ToString("N"))),
        (1, Seeds.Select(seed =>
        {
            const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
            var random = new Random(seed);
            return new string(Enumerable.Range(0, random.Next(1, 129)).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
        })));

    public static Gen<DateTimeOffset> Instants { get; } = Seeds.Select(seed =>
    {
        var random = new Random(seed);
        var utc = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(random.NextInt64(TimeSpan.FromDays(36_500).Ticks));
        var offset = TimeSpan.FromMinutes(random.Next(4) == 0 ? 0 : random.Next(-14 * 60, 14 * 60 + 1));
        return new DateTimeOffset(utc.Ticks + offset.Ticks, offset);
    });

    /// <summary>An object of the given members (null ones left out) and random unknown ones, in random order.</summary>
    public static Gen<TreeNode> ObjectOf(string[] reserved, params (string Name, TreeNode? Json)[] members) =>
        from extras in Extras(reserved)
        from order in Gen.Shuffle(members.Where(m => m.Json is not null).Select(m => new KeyValuePair<string, TreeNode>(m.Name, m.Json!)).Concat(extras))
        select (TreeNode)new TreeObject(order);

    private static Gen<KeyValuePair<string, TreeNode>[]> Extras(string[] reserved) =>
        from count in Gen.Frequency((2, Gen.Constant(0)), (3, Gen.Choose(1, 4)))
        from members in Gen.ArrayOf(ExtraMember(reserved), count)
        select members.Where(m => !reserved.Contains(m.Key, StringComparer.Ordinal)).DistinctBy(m => m.Key, StringComparer.Ordinal).ToArray();

    private static Gen<KeyValuePair<string, TreeNode>> ExtraMember(string[] reserved) =>
        from name in Gen.Frequency(
            (3, Gen.Elements("status", "created", "operations", "extra", "metadata", "amount", "links", "href", "version")),
            (2, Gen.Elements(reserved).SelectMany(AnyCase)),
            (2, TextGen.Printable(0, 12)))
        from value in AnyValue(2)
        select new KeyValuePair<string, TreeNode>(name, value);

    private static readonly string[] Numbers =
    [
        "0", "-1", "1", "1.5", "-0", "1e400", "-1E-400", "123456789012345678901234567890", "9223372036854775808", "9223372036854775807", "1E3", "0.0000001",
    ];

    /// <summary>Any JSON value, nested at most <paramref name="depth"/> deep.</summary>
    public static Gen<TreeNode> AnyValue(int depth)
    {
        var leaf = Gen.Frequency(
            (3, TextGen.AnyValid(0, 30).Select(s => (TreeNode)new TreeString(s))),
            (2, Gen.Elements(Numbers).Select(n => (TreeNode)new TreeRaw(n))),
            (1, Gen.Elements("true", "false", "null").Select(n => (TreeNode)new TreeRaw(n))));
        if (depth == 0)
        {
            return leaf;
        }

        var inner = AnyValue(depth - 1);
        return Gen.Frequency(
            (4, leaf),
            (1, from n in Gen.Choose(0, 3) from items in Gen.ArrayOf(inner, n) select (TreeNode)new TreeArray(items)),
            (1, from n in Gen.Choose(0, 3)
                from names in Gen.ArrayOf(TextGen.Printable(0, 8), n)
                from values in Gen.ArrayOf(inner, n)
                select (TreeNode)new TreeObject(names.Zip(values, (k, v) => new KeyValuePair<string, TreeNode>(k, v)).DistinctBy(m => m.Key, StringComparer.Ordinal).ToList())));
    }

    // ---- the four shapes ----

    internal sealed record Expected(
        CallbackShape Shape,
        string? PaymentOrder = null,
        long? PaymentOrderNumber = null,
        string? Instrument = null,
        string? Payment = null,
        long? PaymentNumber = null,
        string? Transaction = null,
        long? TransactionNumber = null,
        string? OrderReference = null);

    internal sealed record Built(TreeNode Body, Expected Expected);

    /// <summary>A payment or transaction as an object {id, number}.</summary>
    internal sealed record Part(string Value, long? Number, TreeNode Json);

    internal sealed record OrderPart(string Value, long? Number, string? Instrument, TreeNode Json);

    private static Gen<Part> PathObject(Gen<PathSpec> paths, Uri baseUrl) =>
        from path in paths
        from reference in Reference(path, baseUrl)
        from number in OptionalNumber(strings: false)
        from json in ObjectOf(InnerMembers, ("id", new TreeString(reference)), ("number", number.Json))
        select new Part(path.Value, number.Value, json);

    private static Gen<OrderPart> PaymentOrderObject(Uri baseUrl) =>
        from id in Guids
        from path in PaymentOrderPath(id)
        from reference in Reference(path, baseUrl)
        from instrument in Optional(InstrumentNames, s => new TreeString(s))
        from number in OptionalNumber(strings: false)
        from json in ObjectOf(InnerMembers, ("id", new TreeString(reference)), ("instrument", instrument.Json), ("number", number.Json))
        select new OrderPart(path.Value, number.Value, instrument.Value, json);

    private static Gen<Built> Flat(Uri baseUrl) =>
        from instrument in Instruments
        from paymentId in Guids
        from payment in PaymentPath(instrument, paymentId)
        from paymentReference in Reference(payment, baseUrl)
        from paymentNumber in OptionalNumber(strings: true)
        from transaction in Optional(
            TransactionPath(instrument, paymentId).SelectMany(t => Reference(t, baseUrl).Select(r => (t.Value, r))).Select(t => new PathSpec(t.r, t.Value)),
            t => new TreeString(t.Text))
        from transactionNumber in OptionalNumber(strings: true)
        from body in ObjectOf(
            RootMembers,
            ("payment", new TreeString(paymentReference)),
            ("paymentNumber", paymentNumber.Json),
            ("transaction", transaction.Json),
            ("transactionNumber", transactionNumber.Json))
        select new Built(body, new Expected(
            CallbackShape.V1Flat,
            Payment: payment.Value,
            PaymentNumber: paymentNumber.Value,
            Transaction: transaction.Value?.Value,
            TransactionNumber: transactionNumber.Value));

    private static Gen<Built> Nested(Uri baseUrl) =>
        from instrument in Instruments
        from paymentId in Guids
        from payment in PathObject(PaymentPath(instrument, paymentId), baseUrl)
        from transaction in Optional(PathObject(TransactionPath(instrument, paymentId), baseUrl), t => t.Json)
        from body in ObjectOf(RootMembers, ("payment", payment.Json), ("transaction", transaction.Json))
        select new Built(body, new Expected(
            CallbackShape.V1Nested,
            Payment: payment.Value,
            PaymentNumber: payment.Number,
            Transaction: transaction.Value?.Value,
            TransactionNumber: transaction.Value?.Number));

    private static Gen<Built> PaymentOrder(Uri baseUrl) =>
        from order in PaymentOrderObject(baseUrl)
        from instrument in Instruments
        from paymentId in Guids
        from which in Gen.Elements("both", "payment", "transaction")
        from payment in PathObject(PaymentPath(instrument, paymentId), baseUrl)
        from transaction in PathObject(TransactionPath(instrument, paymentId), baseUrl)
        from sendNull in Coin(1, 2)
        from orderReference in Optional(OrderReferences, s => new TreeString(s))
        from body in ObjectOf(
            RootMembers,
            ("paymentOrder", order.Json),
            ("payment", which != "transaction" ? payment.Json : sendNull ? TreeNode.Null : null),
            ("transaction", which != "payment" ? transaction.Json : sendNull ? TreeNode.Null : null),
            ("orderReference", orderReference.Json))
        select new Built(body, new Expected(
            CallbackShape.PaymentOrder,
            PaymentOrder: order.Value,
            PaymentOrderNumber: order.Number,
            Instrument: order.Instrument,
            Payment: which != "transaction" ? payment.Value : $"/psp/{Lower(instrument)}/payments/{paymentId:D}",
            PaymentNumber: which != "transaction" ? payment.Number : null,
            Transaction: which != "payment" ? transaction.Value : null,
            TransactionNumber: which != "payment" ? transaction.Number : null,
            OrderReference: orderReference.Value));

    private static Gen<Built> PaymentOrderV31(Uri baseUrl) =>
        from order in PaymentOrderObject(baseUrl)
        from orderReference in Optional(OrderReferences, s => new TreeString(s))
        from paymentNull in Coin(1, 4)
        from transactionNull in Coin(1, 4)
        from body in ObjectOf(
            RootMembers,
            ("paymentOrder", order.Json),
            ("orderReference", orderReference.Json),
            ("payment", paymentNull ? TreeNode.Null : null),
            ("transaction", transactionNull ? TreeNode.Null : null))
        select new Built(body, new Expected(
            CallbackShape.PaymentOrderV31,
            PaymentOrder: order.Value,
            PaymentOrderNumber: order.Number,
            Instrument: order.Instrument,
            OrderReference: orderReference.Value));

    public static Gen<ValidCase> ValidCallback { get; } =
        from baseUrl in Gen.Elements(BaseUrls)
        from built in Gen.OneOf(Flat(baseUrl), Nested(baseUrl), PaymentOrder(baseUrl), PaymentOrderV31(baseUrl))
        from id in CallbackIds
        from receivedAt in Instants
        from seed in Seeds
        from fancy in Coin(1, 1)
        from signedOrder in OrderReferences
        let body = TreeWriter.Write(built.Body, seed, fancy)
        select new ValidCase(baseUrl, built.Body, body, Envelope(built.Expected, id, receivedAt, body), signedOrder);

    private static CallbackEnvelope Envelope(Expected e, string id, DateTimeOffset receivedAt, string body) => new()
    {
        Id = id,
        Shape = e.Shape,
        PaymentOrder = e.PaymentOrder,
        PaymentOrderNumber = e.PaymentOrderNumber,
        Instrument = e.Instrument,
        Payment = e.Payment,
        PaymentNumber = e.PaymentNumber,
        Transaction = e.Transaction,
        TransactionNumber = e.TransactionNumber,
        OrderReference = e.OrderReference,
        ReceivedAt = receivedAt,
        RawBody = body,
    };

    // ---- any body at all, mostly nearly a callback ----

    public static Gen<FuzzCase> AnyBody { get; } = Gen.Frequency(
        (1, from baseUrl in Gen.Elements(BaseUrls)
            from bytes in ArbMap.Default.GeneratorFor<byte[]>()
            select new FuzzCase(baseUrl, bytes, "random bytes")),
        (1, from baseUrl in Gen.Elements(BaseUrls)
            from seed in Seeds
            select new FuzzCase(baseUrl, Encoding.UTF8.GetBytes(Tokens(new Random(seed))), "JSON tokens")),
        (1, from baseUrl in Gen.Elements(BaseUrls)
            from seed in Seeds
            select Deep(baseUrl, new Random(seed))),
        (2, from example in Gen.Elements(Examples.Value)
            from baseUrl in Gen.Elements(BaseUrls)
            from seed in Seeds
            select Mutated(baseUrl, example.Tree, example.Name, new Random(seed))),
        (4, from valid in ValidCallback
            from seed in Seeds
            select Mutated(valid.BaseUrl, valid.Tree, $"valid {valid.Expected.Shape}", new Random(seed))));

    /// <summary>Smaller bodies: halves and quarters cut out, then single bytes.</summary>
    public static IEnumerable<FuzzCase> Shrink(FuzzCase c)
    {
        var body = c.Body;
        for (var size = body.Length / 2; size >= 1; size /= 2)
        {
            for (var start = 0; start + size <= body.Length; start += size)
            {
                yield return c with { Body = [.. body.AsSpan(0, start), .. body.AsSpan(start + size)], Origin = c.Origin.EndsWith(", shrunk", StringComparison.Ordinal) ? c.Origin : c.Origin + ", shrunk" };
                if (size == 1 && start > 64)
                {
                    break;
                }
            }
        }
    }

    private static readonly string[] TokenList =
    [
        "{", "}", "[", "]", ":", ",", "\"", "\\", " ", "\n", "\"payment\"", "\"paymentOrder\"", "\"transaction\"", "\"id\"", "\"number\"", "\"instrument\"",
        "\"orderReference\"", "\"paymentNumber\"", "\"/psp/creditcard/payments/7e6cdfc3-1276-44e9-9992-7cf4419750e1\"",
        "\"/psp/paymentorders/7e6cdfc3-1276-44e9-9992-7cf4419750e1\"", "123", "-1", "1e999", "null", "true", "\"\\uD800\"", "\"x\"", "0",
    ];

    private static string Tokens(Random random)
    {
        var text = new StringBuilder();
        if (random.Next(2) == 0)
        {
            text.Append('{');
        }

        for (var n = random.Next(1, 60); n > 0; n--)
        {
            text.Append(TokenList[random.Next(TokenList.Length)]);
        }

        return text.ToString();
    }

    private static FuzzCase Deep(Uri baseUrl, Random random)
    {
        var depth = random.Next(3) switch { 0 => random.Next(1, 17), 1 => random.Next(14, 19), _ => random.Next(100, 5000) };
        var open = new StringBuilder();
        var close = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            if (random.Next(2) == 0)
            {
                open.Append('[');
                close.Insert(0, ']');
            }
            else
            {
                open.Append(random.Next(2) == 0 ? "{\"payment\":" : "{\"a\":");
                close.Insert(0, '}');
            }
        }

        var core = random.Next(3) switch
        {
            0 => "1",
            1 => "{\"payment\":\"/psp/creditcard/payments/7e6cdfc3-1276-44e9-9992-7cf4419750e1\"}",
            _ => "\"x\"",
        };
        var text = $"{open}{core}{(random.Next(5) == 0 ? close.ToString(0, close.Length / 2) : close)}";
        return new FuzzCase(baseUrl, Encoding.UTF8.GetBytes(text), $"nested {depth} deep");
    }

    private static FuzzCase Mutated(Uri baseUrl, TreeNode tree, string origin, Random random)
    {
        var log = new List<string> { origin };
        var mode = random.Next(3);
        if (mode != 1)
        {
            tree = MutateTree(tree, random, log);
        }

        var body = Encoding.UTF8.GetBytes(TreeWriter.Write(tree, random.Next(), random.Next(2) == 0));
        if (mode != 0)
        {
            body = MutateBytes(body, random, log);
        }

        return new FuzzCase(baseUrl, body, string.Join(", ", log));
    }

    private static readonly byte[][] InterestingBytes =
    [
        [0xEF, 0xBB, 0xBF], [0xFF], [0xFE], [0xC0, 0x80], [0xC3], [0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF8], [0x00],
        "\\uD800"u8.ToArray(), "\\uDC00"u8.ToArray(), "\\u0000"u8.ToArray(), "\""u8.ToArray(), "\\"u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(),
        "["u8.ToArray(), "]"u8.ToArray(), ":"u8.ToArray(), ","u8.ToArray(), "null"u8.ToArray(), "1e400"u8.ToArray(), "-"u8.ToArray(), "0"u8.ToArray(),
        "99999999999999999999"u8.ToArray(), "/psp/"u8.ToArray(), ".."u8.ToArray(), "%2e"u8.ToArray(), " "u8.ToArray(), "\n"u8.ToArray(), "/*x*/"u8.ToArray(),
    ];

    private static byte[] MutateBytes(byte[] body, Random random, List<string> log)
    {
        var bytes = body.ToList();
        for (var n = random.Next(1, 5); n > 0; n--)
        {
            var at = random.Next(bytes.Count + 1);
            switch (random.Next(7))
            {
                case 0:
                    var count = Math.Min(random.Next(1, 9), bytes.Count - at);
                    bytes.RemoveRange(at, count);
                    log.Add($"deleted {count} bytes at {at}");
                    break;
                case 1:
                    var insert = InterestingBytes[random.Next(InterestingBytes.Length)];
                    bytes.InsertRange(at, insert);
                    log.Add($"inserted {Convert.ToHexString(insert)} at {at}");
                    break;
                case 2 when at < bytes.Count:
                    var value = (byte)random.Next(256);
                    bytes[at] = value;
                    log.Add($"replaced byte {at} by {value:X2}");
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    log.Add($"truncated at {at}");
                    break;
                case 4 when bytes.Count > 0:
                    var start = random.Next(bytes.Count);
                    var slice = bytes.GetRange(start, random.Next(1, bytes.Count - start + 1));
                    bytes.InsertRange(at, slice);
                    log.Add($"copied {slice.Count} bytes from {start} to {at}");
                    break;
                case 5 when at < bytes.Count:
                    var bit = random.Next(8);
                    bytes[at] ^= (byte)(1 << bit);
                    log.Add($"flipped bit {bit} of byte {at}");
                    break;
                default:
                    var noise = new byte[random.Next(1, 9)];
                    random.NextBytes(noise);
                    bytes.InsertRange(at, noise);
                    log.Add($"inserted {Convert.ToHexString(noise)} at {at}");
                    break;
            }
        }

        return [.. bytes];
    }

    private static int Count(TreeNode node) => 1 + node switch
    {
        TreeArray a => a.Items.Sum(Count),
        TreeObject o => o.Members.Sum(m => Count(m.Value)),
        _ => 0,
    };

    /// <summary>The tree with node number <paramref name="target"/> (pre-order) replaced.</summary>
    private static TreeNode Replace(TreeNode node, int target, ref int counter, Func<TreeNode, TreeNode> change)
    {
        if (counter++ == target)
        {
            return change(node);
        }

        switch (node)
        {
            case TreeArray a:
                var items = new List<TreeNode>();
                foreach (var item in a.Items)
                {
                    items.Add(Replace(item, target, ref counter, change));
                }

                return new TreeArray(items);
            case TreeObject o:
                var members = new List<KeyValuePair<string, TreeNode>>();
                foreach (var member in o.Members)
                {
                    members.Add(new(member.Key, Replace(member.Value, target, ref counter, change)));
                }

                return new TreeObject(members);
            default:
                return node;
        }
    }

    private static TreeNode MutateTree(TreeNode tree, Random random, List<string> log)
    {
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var target = random.Next(Count(tree));
            var counter = 0;
            tree = Replace(tree, target, ref counter, node => MutateNode(node, random, log, target));
        }

        return tree;
    }

    private static TreeNode MutateNode(TreeNode node, Random random, List<string> log, int target)
    {
        switch (random.Next(5))
        {
            case 0 when node is TreeObject o && o.Members.Count > 0:
                var members = o.Members.ToList();
                var pick = random.Next(members.Count);
                var member = members[pick];
                switch (random.Next(4))
                {
                    case 0:
                        members.Insert(random.Next(members.Count + 1), random.Next(2) == 0 ? member : new(member.Key, OtherValue(member.Value, random)));
                        log.Add($"duplicated member '{member.Key}' of node {target}");
                        break;
                    case 1:
                        members.RemoveAt(pick);
                        log.Add($"deleted member '{member.Key}' of node {target}");
                        break;
                    case 2:
                        var name = random.Next(2) == 0 ? MixCase(member.Key, random) : RootMembers.Concat(InnerMembers).ElementAt(random.Next(9));
                        members[pick] = new(name, member.Value);
                        log.Add($"renamed member '{member.Key}' of node {target} to '{name}'");
                        break;
                    default:
                        var added = RootMembers.Concat(InnerMembers).ElementAt(random.Next(9));
                        members.Insert(random.Next(members.Count + 1), new(added, OtherValue(TreeNode.Null, random)));
                        log.Add($"added member '{added}' to node {target}");
                        break;
                }

                return new TreeObject(members);
            case 1:
                var depth = random.Next(3) == 0 ? random.Next(10, 40) : 1;
                for (var i = 0; i < depth; i++)
                {
                    node = random.Next(2) == 0 ? new TreeArray([node]) : new TreeObject([new("id", node)]);
                }

                log.Add($"wrapped node {target} {depth} deep");
                return node;
            case 2 when node is TreeString s:
                var text = MutateText(s.Value, random);
                log.Add($"changed string {TextGen.Show(s.Value)} of node {target} to {TextGen.Show(text)}");
                return new TreeString(text);
            default:
                var other = OtherValue(node, random);
                log.Add($"swapped node {target} ({node.GetType().Name}) for {TreeWriter.Write(other, 0, fancy: false)}");
                return other;
        }
    }

    private static readonly TreeNode[] Others =
    [
        TreeNode.Null, new TreeRaw("true"), new TreeRaw("false"), new TreeRaw("0"), new TreeRaw("-1"), new TreeRaw("1.5"), new TreeRaw("1e400"),
        new TreeRaw("-0"), new TreeRaw("99999999999999999999999999"), new TreeRaw("9223372036854775808"), new TreeRaw("9223372036854775807"),
        new TreeRaw("1E3"), new TreeString(""), new TreeString("abc"), new TreeString("123"), new TreeString("-1"), new TreeString("0"),
        new TreeString("00000000000000000001"), new TreeString("12345678901234567890"), new TreeString("9223372036854775808"), new TreeString(" 1"),
        new TreeString("/psp/creditcard/payments/7e6cdfc3-1276-44e9-9992-7cf4419750e1"), new TreeString("/psp/paymentorders/7e6cdfc3-1276-44e9-9992-7cf4419750e1"),
        new TreeString(new string('a', 513)), new TreeString(new string('x', 129)), new TreeString("a\u0001b"), new TreeString("\u0085"),
        new TreeRaw("\"\\uD800\""), new TreeRaw("\"a\\uDFFF\""), new TreeRaw("\"\\uDC00\\uD800\""), new TreeRaw("\"\\u0000\""),
        new TreeArray([]), new TreeObject([]),
    ];

    private static TreeNode OtherValue(TreeNode node, Random random) => random.Next(4) switch
    {
        0 => new TreeArray([node]),
        1 => new TreeObject([new("id", node)]),
        _ => Others[random.Next(Others.Length)],
    };

    private static readonly string[] TextInserts =
    [
        "..", "/", "//", "/./", "/../", "%2e", "%2E%2E", "%2F", "?", "?x=1", "#", "#x", "\\", "\n", "\r\n", " ", "\t", "\u00e9", "\u212A", "\u0130",
        "x", "0", "-", "{", "}", ":", "@", ";", "\u0000", "%00", "\uFF21", "\u0663", "sale", "payments", "paymentorders", "psp",
    ];

    /// <summary>The text with a few characters inserted, deleted, replaced or recased, or cut, or made too long.</summary>
    public static string MutateText(string text, Random random)
    {
        var s = new StringBuilder(text);
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var at = random.Next(s.Length + 1);
            switch (random.Next(7))
            {
                case 0:
                    s.Insert(at, TextInserts[random.Next(TextInserts.Length)]);
                    break;
                case 1 when at < s.Length:
                    s.Remove(at, Math.Min(random.Next(1, 4), s.Length - at));
                    break;
                case 2 when at < s.Length:
                    s[at] = TextInserts[random.Next(TextInserts.Length)][0];
                    break;
                case 3 when at < s.Length:
                    s[at] = char.IsUpper(s[at]) ? char.ToLowerInvariant(s[at]) : char.ToUpperInvariant(s[at]);
                    break;
                case 4:
                    s.Length = at;
                    break;
                case 5:
                    s.Append('a', random.Next(400, 600));
                    break;
                default:
                    s.Insert(at, s.ToString(0, at));
                    break;
            }
        }

        return s.ToString();
    }

    // ---- references for PayExPath ----

    public static Gen<PathCase> PathReferences { get; } =
        from baseUrl in Gen.Elements(BaseUrls)
        from reference in Gen.Frequency(
            (1, Gen.Elements<string?>(null, "", "/", "/psp/", " ", "psp")),
            (1, ArbMap.Default.GeneratorFor<string>().Select(s => (string?)s)),
            (1, from length in Gen.Choose(0, 600) from seed in Seeds select (string?)TextGen.Any(new Random(seed), length)),
            (3, Seeds.Select(seed => (string?)PathLike(new Random(seed)))),
            (3, Seeds.Select(seed => (string?)AbsoluteLike(baseUrl, new Random(seed)))),
            (3, from valid in ValidReference(baseUrl) from seed in Seeds select (string?)MutateText(valid, new Random(seed))),
            (2, ValidReference(baseUrl).Select(s => (string?)s)))
        select new PathCase(baseUrl, reference);

    private static Gen<string> ValidReference(Uri baseUrl) =>
        from instrument in Instruments
        from id in Guids
        from path in Gen.OneOf(PaymentPath(instrument, id), TransactionPath(instrument, id), PaymentOrderPath(id))
        from reference in Reference(path, baseUrl)
        select reference;

    private static T Pick<T>(Random random, params T[] items) => items[random.Next(items.Length)];

    private static string GuidLike(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        var id = new Guid(bytes);
        return random.Next(12) switch
        {
            0 => id.ToString("N"),
            1 => id.ToString("B"),
            2 => id.ToString("D")[..35],
            3 => id.ToString("D") + "0",
            4 => id.ToString("D").Replace('a', 'g'),
            5 => id.ToString("D").Replace('1', '\u0661'),
            6 => id.ToString("D").Replace('b', '\uFF42'),
            7 => id.ToString("D").ToUpperInvariant(),
            _ => id.ToString("D"),
        };
    }

    private static string PathLike(Random random)
    {
        var path = new StringBuilder();
        path.Append(random.Next(3) > 0 ? "/psp/" : Pick(random, "/PSP/", "psp/", "//psp/", "/psp//", "/psp/./", "/%70sp/", "\\psp\\", " /psp/"));
        var order = random.Next(4) == 0;
        path.Append(order
            ? Pick(random, "paymentorders", "PaymentOrders", "paymentorders/payments")
            : random.Next(3) > 0 ? Segment(random) : Pick(random, "..", ".", "%2e%2e", "credit card", new string('a', 41), "1abc", "-abc", "a_b", "\u00e9", "\u212Aard", "paymentorders", ""));
        if (!order)
        {
            path.Append(random.Next(4) > 0 ? "/payments/" : Pick(random, "/Payments/", "/", "/payment/", "//payments/", "/payments//"));
        }
        else
        {
            path.Append('/');
        }

        path.Append(GuidLike(random));
        if (random.Next(2) == 0)
        {
            path.Append('/');
            path.Append(random.Next(3) > 0 ? MixCase(Pick(random, Collections).Sent, random) : Pick(random, "refunds", "", "sale s", "transactions/x", "\u017Fales"));
            path.Append('/');
            path.Append(GuidLike(random));
        }

        if (random.Next(3) == 0)
        {
            path.Append(Pick(random, "/", "?", "?a=b", "#", "#x", "\n", "%0a", " ", "/..", "/.", "\\", ";x", "\u0000", "/x", "%20"));
        }

        if (random.Next(6) == 0)
        {
            path.Insert(random.Next(path.Length + 1), Pick(random, TextInserts));
        }

        return path.ToString();
    }

    private static string AbsoluteLike(Uri baseUrl, Random random)
    {
        var scheme = random.Next(4) > 0 ? MixCase(baseUrl.Scheme, random) : Pick(random, "http", "https", "ftp", "file", "javascript", "wss");
        var separator = random.Next(3) > 0 ? "://" : Pick(random, ":/", ":", ":\\\\", ":///", "://\\", ":\\/");
        var userInfo = random.Next(5) > 0 ? "" : Pick(random, "user@", "user:pass@", $"{baseUrl.Host}@", "@", "%40@");
        var host = random.Next(4) > 0
            ? MixCase(baseUrl.Host, random)
            : Pick(random, "evil.example", $"{baseUrl.Host}.evil.example", $"{baseUrl.Host}.", "127.0.0.1", "[::1]", "0x7f.1", "\u0430pi.payex.com", $"evil.example\\@{baseUrl.Host}", $"{baseUrl.Host}\\@evil.example", "");
        var port = baseUrl.IsDefaultPort && random.Next(3) > 0 ? "" : random.Next(2) == 0 ? $":{baseUrl.Port}" : Pick(random, ":443", ":80", ":5081", ":0", ":99999", ":", ":0443");
        var between = random.Next(4) > 0 ? "" : Pick(random, "\\@evil.example", "\\", "/..", "/./", "%2F", "@evil.example", "/x/..", "\\..", "//", "\t", "%2e%2e/");
        var path = random.Next(2) == 0 ? PathLike(random) : $"/psp/creditcard/payments/{GuidLike(random)}";
        var tail = random.Next(4) > 0 ? "" : Pick(random, "?", "?x", "#", "#x", "/", "%20", " ", "\n", "\\");
        return scheme + separator + userInfo + host + port + between + path + tail;
    }
}

/// <summary>Text for generators, and text made readable in a counterexample.</summary>
internal static class TextGen
{
    private static readonly int[] Interesting =
    [
        '"', '\\', '/', ' ', '&', '=', '?', '#', '%', '+', '<', '>', '\'', 0xE9, 0xDF, 0x130, 0x212A, 0x2028, 0x2029, 0x200B, 0xFEFF, 0xFFFD,
        0xFFFF, 0xFFFE, 0x1F600, 0x10FFFF, 0x10000, 0x00A0, 0x3000,
    ];

    /// <summary>Well-formed UTF-16 of <paramref name="min"/> to <paramref name="max"/> units, no control characters.</summary>
    public static Gen<string> Printable(int min, int max) =>
        from length in Length(min, max)
        from seed in CallbackGen.Seeds
        select Printable(new Random(seed), length);

    /// <summary>Short while FsCheck's size is small, so that the first counterexamples found are short too; up to <paramref name="max"/> from size 50.</summary>
    private static Gen<int> Length(int min, int max) =>
        Gen.Sized(size => Gen.Choose(min, Math.Min(max, min + Math.Max(1, (max - min) * size / 50))));

    /// <summary>
    /// Shorter and plainer versions of <paramref name="text"/>, at least <paramref name="minLength"/> characters,
    /// never splitting a surrogate pair (an unpaired surrogate is a different failure).
    /// </summary>
    public static IEnumerable<string> Shrink(string text, int minLength)
    {
        var units = Units(text);
        if (text.Length > minLength)
        {
            var half = units.Count / 2;
            var first = string.Concat(units.GetRange(0, half));
            var second = string.Concat(units.GetRange(half, units.Count - half));
            if (first.Length >= minLength)
            {
                yield return first;
            }

            if (second.Length >= minLength && second.Length < text.Length)
            {
                yield return second;
            }

            for (var i = 0; i < units.Count && i < 64; i++)
            {
                if (text.Length - units[i].Length >= minLength)
                {
                    yield return string.Concat(units.Where((_, j) => j != i));
                }
            }
        }

        for (var i = 0; i < units.Count && i < 64; i++)
        {
            if (!char.IsAsciiLetterOrDigit(units[i][0]) && !char.IsSurrogate(units[i][0]))
            {
                yield return string.Concat(units.Select((u, j) => j == i ? "a" : u));
            }
        }
    }

    /// <summary>The text as characters, a surrogate pair counting as one.</summary>
    private static List<string> Units(string text)
    {
        var units = new List<string>();
        for (var i = 0; i < text.Length; i++)
        {
            var pair = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            units.Add(text.Substring(i, pair ? 2 : 1));
            i += pair ? 1 : 0;
        }

        return units;
    }

    /// <summary>Well-formed UTF-16 of <paramref name="min"/> to <paramref name="max"/> units, control characters too.</summary>
    public static Gen<string> AnyValid(int min, int max) =>
        from length in Length(min, max)
        from seed in CallbackGen.Seeds
        from controls in CallbackGen.Coin(1, 3)
        select controls ? WithControls(new Random(seed), length) : Printable(new Random(seed), length);

    public static string Printable(Random random, int length)
    {
        var text = new StringBuilder(length);
        while (text.Length < length)
        {
            var codePoint = random.Next(10) switch
            {
                < 5 => random.Next(0x20, 0x7F),
                5 => random.Next(0xA0, 0x800),
                6 => random.Next(0x800, 0xD800),
                7 => random.Next(0xE000, 0x10000),
                8 => random.Next(0x10000, 0x110000),
                _ => Interesting[random.Next(Interesting.Length)],
            };
            if (codePoint > 0xFFFF && text.Length + 2 > length)
            {
                continue;
            }

            text.Append(char.ConvertFromUtf32(codePoint));
        }

        return text.ToString();
    }

    private static string WithControls(Random random, int length)
    {
        var text = new StringBuilder(Printable(random, length));
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i]) && random.Next(4) == 0)
            {
                text[i] = (char)(random.Next(2) == 0 ? random.Next(0x20) : random.Next(0x7F, 0xA0));
            }
        }

        return text.ToString();
    }

    /// <summary>Any UTF-16 at all: control characters and unpaired surrogates too.</summary>
    public static string Any(Random random, int length) =>
        new(Enumerable.Range(0, length).Select(_ => random.Next(4) switch
        {
            0 => (char)random.Next(0x80),
            1 => (char)random.Next(0xD800, 0xE000),
            _ => (char)random.Next(0x10000),
        }).ToArray());

    /// <summary>Quoted, with control characters, surrogates and other invisible characters escaped.</summary>
    public static string Show(string? text)
    {
        if (text is null)
        {
            return "null";
        }

        var shown = new StringBuilder("\"");
        foreach (var ch in text.Length > 700 ? text[..700] : text)
        {
            if (ch is '"' or '\\')
            {
                shown.Append('\\').Append(ch);
            }
            else if (ch < 0x20 || ch is >= (char)0x7F and <= (char)0xA0 || char.IsSurrogate(ch) || ch >= 0xFFF0 || ch is (char)0x2028 or (char)0x2029 or (char)0x200B or (char)0xFEFF)
            {
                shown.Append(CultureInfo.InvariantCulture, $"\\u{(int)ch:X4}");
            }
            else
            {
                shown.Append(ch);
            }
        }

        shown.Append('"');
        return text.Length > 700 ? $"{shown}... ({text.Length} chars)" : shown.ToString();
    }

    /// <summary>UTF-8 shown as text, invisible characters as &lt;U+NNNN&gt;, each byte that is not part of valid UTF-8 as &lt;xNN&gt;.</summary>
    public static string ShowBytes(byte[] bytes)
    {
        var shown = new StringBuilder();
        var span = bytes.AsSpan(0, Math.Min(bytes.Length, 2000));
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(span, out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                if (rune.Value < 0x20 || rune.Value is >= 0x7F and <= 0xA0 || rune.Value is 0xFEFF or 0x2028 or 0x2029 or 0x200B)
                {
                    shown.Append(CultureInfo.InvariantCulture, $"<U+{rune.Value:X4}>");
                }
                else
                {
                    shown.Append(rune.ToString());
                }
            }
            else
            {
                for (var i = 0; i < consumed; i++)
                {
                    shown.Append(CultureInfo.InvariantCulture, $"<x{span[i]:X2}>");
                }
            }

            span = span[Math.Max(consumed, 1)..];
        }

        return bytes.Length > 2000 ? $"{shown}... ({bytes.Length} bytes)" : shown.ToString();
    }
}
