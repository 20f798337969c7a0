using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.AspNetCore.WebUtilities;
using PayExCallbackFunctions.Access;
using PayExCallbackFunctions.Tests.Callbacks;

namespace PayExCallbackFunctions.Tests.Access;

/// <summary>
/// Property-based tests (FsCheck) of per-order callback URL signing: a signature verifies for its order
/// and secret (and during rotation), and for nothing else; <see cref="CallbackSignature.Verify"/> never
/// throws; and <see cref="CallbackUrl.For"/> carries the order and a verifying signature through the query.
/// A failure prints the counterexample and the seed; <c>[Property(Replay = "seed,gamma")]</c> reruns it.
/// </summary>
public class CallbackSignatureProperties
{
    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static readonly string Huge = new('a', 100_000);

    [Property(MaxTest = 500)]
    public Property A_signature_verifies_for_its_order_and_secret() =>
        Prop.ForAll(Arb.From(Signings, Shrink), c =>
        {
            var signature = CallbackSignature.Sign(c.Order, c.Secret);
            Assert.Equal(43, signature.Length);
            Assert.All(signature, ch => Assert.Contains(ch, Base64UrlAlphabet));
            Assert.True(CallbackSignature.Verify(c.Order, signature, [c.Secret]));
        });

    [Property(MaxTest = 500)]
    public Property A_signature_verifies_while_the_secret_is_rotated() =>
        Prop.ForAll(Arb.From(WithOtherSecret, Shrink), c =>
        {
            var signature = CallbackSignature.Sign(c.Order, c.Secret);
            Assert.True(CallbackSignature.Verify(c.Order, signature, [c.Other, c.Secret]));
            Assert.True(CallbackSignature.Verify(c.Order, signature, [c.Secret, c.Other]));
            Assert.True(CallbackSignature.Verify(c.Order, CallbackSignature.Sign(c.Order, c.Other), [c.Other, c.Secret]));
        });

    [Property(MaxTest = 500)]
    public Property A_signature_does_not_verify_under_another_secret() =>
        Prop.ForAll(Arb.From(WithOtherSecret, Shrink), c =>
        {
            var signature = CallbackSignature.Sign(c.Order, c.Secret);
            Assert.False(CallbackSignature.Verify(c.Order, signature, [c.Other]));
            Assert.False(CallbackSignature.Verify(c.Order, signature, []));
        });

    [Property(MaxTest = 1000)]
    public Property A_signature_does_not_verify_for_another_order_reference() =>
        Prop.ForAll(Arb.From(WithOtherOrder, Shrink), c =>
            Assert.False(CallbackSignature.Verify(c.Other, CallbackSignature.Sign(c.Order, c.Secret), [c.Secret])));

    /// <summary>
    /// UTF-8 has no form for an unpaired surrogate (encoders write U+FFFD instead), so two references that
    /// differ only there must not share a signature: either both are refused as order references, or
    /// the signature tells them apart.
    /// </summary>
    [Property(MaxTest = 300)]
    public Property Order_references_differing_only_in_unpaired_surrogates_do_not_share_a_signature() =>
        Prop.ForAll(Arb.From(WithUnpairedSurrogate, Shrink), c => Prop.Collect(true, CheckUnpairedSurrogate(c)));

    private static string CheckUnpairedSurrogate(SurrogateCase c)
    {
        if (!CallbackSignature.IsValidOrderReference(c.Order))
        {
            Assert.Throws<ArgumentException>(() => CallbackSignature.Sign(c.Order, c.Secret));
            // Nothing verifies for it either, not even the signature of what its UTF-8 form reads as.
            Assert.False(CallbackSignature.Verify(c.Order, CallbackSignature.Sign(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(c.Order)), c.Secret), [c.Secret]));
            return "refused as an order reference";
        }

        Assert.False(CallbackSignature.Verify(c.Other, CallbackSignature.Sign(c.Order, c.Secret), [c.Secret]));
        return "signed";
    }

    /// <summary>A forger's view: any other letter of the alphabet in any but the last place (whose two spare bits make it special).</summary>
    [Property(MaxTest = 1000)]
    public Property A_signature_with_a_letter_changed_does_not_verify() =>
        Prop.ForAll(Arb.From(Tampered(Gen.Choose(0, 41), Gen.Elements(Base64UrlAlphabet.ToCharArray())), Shrink), c =>
            Assert.False(CallbackSignature.Verify(c.Order, c.Signature, [c.Secret])));

    /// <summary>Any one character changed, anywhere, to anything: refused, not thrown.</summary>
    [Property(MaxTest = 1000)]
    public Property A_signature_with_any_one_character_changed_does_not_verify() =>
        Prop.ForAll(Arb.From(Tampered(Gen.Choose(0, 42), AnyChar), Shrink), c =>
            Assert.False(CallbackSignature.Verify(c.Order, c.Signature, [c.Secret])));

    [Property(MaxTest = 1000)]
    public Property Verify_never_throws_and_accepts_only_a_genuine_signature() =>
        Prop.ForAll(Arb.From(AnyVerification, Shrink), c => Prop.Collect(true, CheckVerification(c)));

    private static string CheckVerification(Verification c)
    {
        var verified = CallbackSignature.Verify(c.Order, c.Signature, c.Secrets);
        if (!CallbackSignature.IsValidOrderReference(c.Order) || c.Signature?.Length != 43)
        {
            Assert.False(verified);
        }
        else
        {
            var genuine = c.Secrets.Any(s => s.Length > 0 && CallbackSignature.Sign(c.Order!, s) == c.Signature);
            Assert.Equal(genuine, verified);
        }

        return verified ? "verified" : "refused";
    }

    [Property(MaxTest = 500)]
    public Property A_callback_url_carries_the_order_and_a_signature_that_verifies() =>
        Prop.ForAll(Arb.From(CallbackUrls, Shrink), c =>
        {
            var url = CallbackUrl.For(c.Endpoint, c.Order, c.Secret, c.FunctionKey);

            // As the callback-url command prints it, and as PayEx would call it.
            var called = new Uri(url.AbsoluteUri);
            Assert.Equal(c.Endpoint.GetLeftPart(UriPartial.Path), called.GetLeftPart(UriPartial.Path));
            Assert.Empty(called.Fragment);

            var pairs = called.Query.TrimStart('?').Split('&')
                .Select(pair => pair.Split('=', 2))
                .Select(pair => (Name: Uri.UnescapeDataString(pair[0]), Value: pair.Length == 2 ? Uri.UnescapeDataString(pair[1]) : null))
                .ToList();
            var withKey = !string.IsNullOrEmpty(c.FunctionKey);
            string[] names = withKey
                ? [CallbackUrl.OrderParameter, CallbackUrl.SignatureParameter, CallbackUrl.CodeParameter]
                : [CallbackUrl.OrderParameter, CallbackUrl.SignatureParameter];
            Assert.Equal(names, pairs.Select(p => p.Name));
            Assert.Equal(c.Order, pairs[0].Value);
            Assert.True(CallbackSignature.Verify(pairs[0].Value, pairs[1].Value, [c.Secret]));
            if (withKey)
            {
                Assert.Equal(c.FunctionKey, pairs[2].Value);
            }

            // As ASP.NET Core reads the query for the signed-order filter.
            var query = QueryHelpers.ParseQuery(called.Query);
            Assert.Equal(c.Order, Assert.Single(query[CallbackUrl.OrderParameter].ToArray()));
            var signature = Assert.Single(query[CallbackUrl.SignatureParameter].ToArray());
            Assert.True(CallbackSignature.Verify(query[CallbackUrl.OrderParameter][0], signature, [c.Secret]));
            if (withKey)
            {
                Assert.Equal(c.FunctionKey, Assert.Single(query[CallbackUrl.CodeParameter].ToArray()));
            }
        });

    // ---- generators ----

    private static Gen<string> Orders => CallbackGen.OrderReferences;

    /// <summary>At least 32 characters, as the options validator demands: base64 of random bytes, or any text.</summary>
    private static Gen<string> Secrets { get; } = Gen.Frequency(
        (2, from n in Gen.Choose(24, 64)
            from seed in CallbackGen.Seeds
            select Convert.ToBase64String(RandomBytes(new Random(seed), n))),
        (3, TextGen.Printable(32, 100)));

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    internal sealed record Signing(string Order, string Secret)
    {
        public override string ToString() => $"order {TextGen.Show(Order)}, secret {TextGen.Show(Secret)}";
    }

    internal sealed record TwoSecrets(string Order, string Secret, string Other)
    {
        public override string ToString() => $"order {TextGen.Show(Order)}, secret {TextGen.Show(Secret)}, other secret {TextGen.Show(Other)}";
    }

    internal sealed record TwoOrders(string Order, string Other, string Secret)
    {
        public override string ToString() => $"signed for {TextGen.Show(Order)}, verified for {TextGen.Show(Other)}, secret {TextGen.Show(Secret)}";
    }

    internal sealed record SurrogateCase(string Prefix, char Surrogate, char Replacement, string Suffix, string Secret)
    {
        public string Order => Prefix + Surrogate + Suffix;

        public string Other => Prefix + Replacement + Suffix;

        public override string ToString() => $"signed for {TextGen.Show(Order)}, verified for {TextGen.Show(Other)}, secret {TextGen.Show(Secret)}";
    }

    internal sealed record TamperedSignature(string Order, string Secret, int At, char Replacement)
    {
        public string Original => CallbackSignature.Sign(Order, Secret);

        public string Signature => string.Concat(Original.AsSpan(0, At), Replacement.ToString(), Original.AsSpan(At + 1));

        public override string ToString() => $"order {TextGen.Show(Order)}, secret {TextGen.Show(Secret)}, signature {Original} changed to {TextGen.Show(Signature)}";
    }

    internal sealed record Verification(string? Order, string? Signature, string[] Secrets)
    {
        public override string ToString() => $"order {TextGen.Show(Order)}, signature {TextGen.Show(Signature)}, secrets [{string.Join(", ", Secrets.Select(TextGen.Show))}]";
    }

    internal sealed record UrlCase(Uri Endpoint, string Order, string Secret, string? FunctionKey)
    {
        public override string ToString() => $"endpoint {Endpoint.OriginalString}, order {TextGen.Show(Order)}, secret {TextGen.Show(Secret)}, key {TextGen.Show(FunctionKey)}";
    }

    private static Gen<Signing> Signings { get; } =
        from order in Orders
        from secret in Secrets
        select new Signing(order, secret);

    private static Gen<TwoSecrets> WithOtherSecret { get; } = (
        from order in Orders
        from secret in Secrets
        from other in Gen.Frequency((1, Secrets), (2, CallbackGen.Seeds.Select(seed => Edit(secret, new Random(seed)))))
        select new TwoSecrets(order, secret, other))
        .Where(c => c.Other != c.Secret);

    private static Gen<TwoOrders> WithOtherOrder { get; } = (
        from order in Orders
        from other in Gen.Frequency((1, Orders), (3, CallbackGen.Seeds.Select(seed => Edit(order, new Random(seed)))))
        from secret in Secrets
        select new TwoOrders(order, other, secret))
        .Where(c => c.Other != c.Order && CallbackSignature.IsValidOrderReference(c.Other));

    private static Gen<SurrogateCase> WithUnpairedSurrogate { get; } =
        from order in TextGen.Printable(0, 127)
        from at in Gen.Choose(0, order.Length)
        from surrogate in Gen.Choose(0xD800, 0xDFFF)
        from replacement in Gen.Frequency((1, Gen.Constant(0xFFFD)), (2, Gen.Choose(0xD800, 0xDFFF)))
        where replacement != surrogate
        from secret in Secrets
        let safeAt = at > 0 && at < order.Length && char.IsLowSurrogate(order[at]) ? at - 1 : at
        select new SurrogateCase(order[..safeAt], (char)surrogate, (char)replacement, order[safeAt..], secret);

    private static readonly char[] OddChars = ['+', '/', '=', ' ', '.', '\0', '\n', '%', '\u00e9', '\uD800', '\uDC00', '\uFF21', '\u0660', 'Ａ'];

    private static Gen<char> AnyChar { get; } = Gen.Frequency(
        (4, Gen.Elements(Base64UrlAlphabet.ToCharArray())),
        (2, Gen.Elements(OddChars)),
        (1, Gen.Choose(0, 0xFFFF).Select(i => (char)i)));

    private static Gen<TamperedSignature> Tampered(Gen<int> positions, Gen<char> replacements) => (
        from order in Orders
        from secret in Secrets
        from at in positions
        from replacement in replacements
        select new TamperedSignature(order, secret, at, replacement))
        .Where(c => c.Signature != c.Original);

    private static Gen<string?> AnyOrder { get; } = Gen.Frequency(
        (1, Gen.Elements<string?>(null, "", " ", "\0", "a\nb", new string('x', 129), Huge)),
        (4, Orders.Select(s => (string?)s)),
        (2, from length in Gen.Choose(0, 200) from seed in CallbackGen.Seeds select (string?)TextGen.Any(new Random(seed), length)));

    private static Gen<string> SecretList { get; } = Gen.Frequency(
        (4, Secrets),
        (1, Gen.Elements("", "short", Huge)),
        (1, from length in Gen.Choose(0, 100) from seed in CallbackGen.Seeds select TextGen.Any(new Random(seed), length)));

    private static Gen<Verification> AnyVerification { get; } =
        from order in AnyOrder
        from secretCount in Gen.Choose(0, 3)
        from secrets in Gen.ArrayOf(SecretList, secretCount)
        from signature in Gen.Frequency(
            (1, Gen.Elements<string?>(null, "", "=", new string('A', 43), new string('=', 43), new string(' ', 43), Huge)),
            (2, Gen.Constant(order).Select(o => SignWithAny(o, secrets))),
            (2, from seed in CallbackGen.Seeds select (string?)RandomFrom(new Random(seed), Base64UrlAlphabet, 43)),
            (1, from seed in CallbackGen.Seeds select (string?)RandomFrom(new Random(seed), Base64UrlAlphabet + "+/= \n.%", 43)),
            (1, from seed in CallbackGen.Seeds select (string?)(SignWithAny(order, secrets) + "=")),
            (1, from seed in CallbackGen.Seeds select (string?)SignWithAny(order, secrets)?.Replace('-', '+').Replace('_', '/')),
            (1, from length in Gen.Choose(0, 100) from seed in CallbackGen.Seeds select (string?)TextGen.Any(new Random(seed), length)))
        select new Verification(order, signature, secrets);

    private static string? SignWithAny(string? order, string[] secrets) =>
        CallbackSignature.IsValidOrderReference(order) && secrets.FirstOrDefault(s => s.Length > 0) is { } secret
            ? CallbackSignature.Sign(order!, secret)
            : null;

    private static string RandomFrom(Random random, string alphabet, int length) =>
        new(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());

    private static Gen<UrlCase> CallbackUrls { get; } =
        from scheme in Gen.Elements("https", "http")
        from host in Gen.Elements("myapp.azurewebsites.net", "func-payex-prod.azurewebsites.net", "localhost", "127.0.0.1", "[::1]", "xn--caf-dma.example")
        from port in Gen.Elements("", ":7071", ":443", ":8080")
        from path in Gen.Elements("/api/payex/callbacks", "/api/payex/callbacks/", "/", "", "/api/PayEx/Callbacks", "/a%20b/callbacks", "/caf%C3%A9")
        from order in Orders
        from secret in Secrets
        from key in Gen.Frequency(
            (2, Gen.Elements<string?>(null, "")),
            (2, from n in Gen.Choose(16, 48) from seed in CallbackGen.Seeds select (string?)Convert.ToBase64String(RandomBytes(new Random(seed), n))),
            (1, TextGen.Printable(1, 60).Select(s => (string?)s)))
        select new UrlCase(new Uri($"{scheme}://{host}{port}{path}"), order, secret, key);

    private static readonly string[] EditInserts = [" ", "a", "A", "0", "-", "\u00e9", "e\u0301", "\uFF21", "\u00A0", "\U0001F600", "%", "+", "&", "="];

    /// <summary>One small change: a character replaced, inserted or removed, its case changed, or the text decomposed.</summary>
    private static string Edit(string text, Random random)
    {
        var s = new StringBuilder(text);
        var at = random.Next(s.Length + 1);

        // Never split a surrogate pair: an unpaired surrogate is a change of its own (see above).
        if (at > 0 && at < s.Length && char.IsLowSurrogate(s[at]))
        {
            at--;
        }

        var width = at < s.Length && char.IsHighSurrogate(s[at]) ? 2 : 1;
        switch (random.Next(5))
        {
            case 0 when at < s.Length:
                s.Remove(at, width).Insert(at, EditInserts[random.Next(EditInserts.Length)]);
                break;
            case 1 when at < s.Length && s.Length > 1:
                s.Remove(at, width);
                break;
            case 2 when at < s.Length && char.IsLetter(s[at]):
                s[at] = char.IsUpper(s[at]) ? char.ToLowerInvariant(s[at]) : char.ToUpperInvariant(s[at]);
                break;
            case 3 when Normalized(text, random.Next(2) == 0 ? NormalizationForm.FormD : NormalizationForm.FormKC) is { } normalized:
                return normalized == text ? text + " " : normalized;
            default:
                s.Insert(at, EditInserts[random.Next(EditInserts.Length)]);
                break;
        }

        return s.ToString();
    }

    // ---- shrinkers: shorter and plainer order references and secrets, so that a counterexample is readable ----

    private static IEnumerable<string> ShrinkOrder(string order) => TextGen.Shrink(order, 1);

    private static IEnumerable<string> ShrinkSecret(string secret) =>
        secret == Plain ? [] : TextGen.Shrink(secret, 32).Prepend(Plain);

    private const string Plain = "ssssssssssssssssssssssssssssssss";

    private static IEnumerable<Signing> Shrink(Signing c) =>
        ShrinkOrder(c.Order).Select(o => c with { Order = o }).Concat(ShrinkSecret(c.Secret).Select(s => c with { Secret = s }));

    private static IEnumerable<TwoSecrets> Shrink(TwoSecrets c) =>
        ShrinkOrder(c.Order).Select(o => c with { Order = o })
            .Concat(ShrinkSecret(c.Secret).Select(s => c with { Secret = s }))
            .Concat(TextGen.Shrink(c.Other, 1).Select(s => c with { Other = s }))
            .Where(x => x.Other != x.Secret);

    private static IEnumerable<TwoOrders> Shrink(TwoOrders c) =>
        ShrinkOrder(c.Order).Select(o => c with { Order = o })
            .Concat(ShrinkOrder(c.Other).Select(o => c with { Other = o }))
            .Concat(ShrinkSecret(c.Secret).Select(s => c with { Secret = s }))
            .Where(x => x.Other != x.Order && CallbackSignature.IsValidOrderReference(x.Other));

    private static IEnumerable<SurrogateCase> Shrink(SurrogateCase c) =>
        TextGen.Shrink(c.Prefix, 0).Select(p => c with { Prefix = p })
            .Concat(TextGen.Shrink(c.Suffix, 0).Select(p => c with { Suffix = p }))
            .Concat(ShrinkSecret(c.Secret).Select(s => c with { Secret = s }));

    private static IEnumerable<TamperedSignature> Shrink(TamperedSignature c) =>
        ShrinkOrder(c.Order).Select(o => c with { Order = o })
            .Concat(ShrinkSecret(c.Secret).Select(s => c with { Secret = s }))
            .Where(x => x.Signature != x.Original);

    private static IEnumerable<Verification> Shrink(Verification c) =>
        Enumerable.Range(0, c.Secrets.Length).Select(i => c with { Secrets = [.. c.Secrets.Where((_, j) => j != i)] })
            .Concat(c.Order is null ? [] : TextGen.Shrink(c.Order, 0).Select(o => c with { Order = o }))
            .Concat(c.Signature is null ? [] : TextGen.Shrink(c.Signature, 0).Select(s => c with { Signature = s }))
            .Concat(Enumerable.Range(0, c.Secrets.Length).SelectMany(i => ShrinkSecret(c.Secrets[i]).Select(s => c with { Secrets = [.. c.Secrets.Select((x, j) => j == i ? s : x)] })));

    private static IEnumerable<UrlCase> Shrink(UrlCase c) =>
        ShrinkOrder(c.Order).Select(o => c with { Order = o })
            .Concat(ShrinkSecret(c.Secret).Select(s => c with { Secret = s }))
            .Concat(c.FunctionKey is null ? [] : TextGen.Shrink(c.FunctionKey, 0).Select(k => c with { FunctionKey = k }));

    /// <summary>Null for text Normalize refuses: noncharacters such as U+FFFF, which Printable may give.</summary>
    private static string? Normalized(string text, NormalizationForm form)
    {
        try
        {
            return text.Normalize(form);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
