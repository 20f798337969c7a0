namespace PayExCallbackFunctions.PayExStandIn.Payments;

/// <summary>The body of POST /_standin/payments: what to create; everything but the generation has a default.</summary>
public sealed class NewPayment
{
    public string? Generation { get; set; }

    public string? Instrument { get; set; }

    public long? Amount { get; set; }

    public string? Currency { get; set; }

    public string? Intent { get; set; }

    public string? OrderReference { get; set; }

    public string? PayeeReference { get; set; }

    /// <summary>Where PayEx POSTs this payment's callbacks after each step, as a merchant sets it on creation; else the stand-in's default (--callbackUrl), if any.</summary>
    public string? CallbackUrl { get; set; }

    /// <summary>False: PayEx sends this payment no callbacks at all, as for a merchant whose callbacks are off (PayEx's default since 2025-12-15).</summary>
    public bool? Callbacks { get; set; }

    /// <summary>The generation it names, or null with the reason it names none.</summary>
    public (Generation? Generation, string? Error) Validate()
    {
        Generation? generation = Generation switch
        {
            "v1" => Payments.Generation.V1,
            "v2" => Payments.Generation.V2,
            "v3.0" => Payments.Generation.V30,
            "v3.1" => Payments.Generation.V31,
            _ => null,
        };
        var error = this switch
        {
            _ when generation is null => "generation must be v1, v2, v3.0 or v3.1.",
            { Instrument: { } i } when !Instruments.IsKnown(i) => $"instrument must be one of {string.Join(", ", Instruments.PathNames)}.",
            { Amount: <= 0 } => "amount must be positive (minor units).",
            { Currency: { } c } when c.Length != 3 || !c.All(char.IsAsciiLetterUpper) => "currency must be three capital letters (ISO 4217).",
            { Intent: { } intent } when intent is not ("Authorization" or "Sale") => "intent must be Authorization or Sale.",
            { OrderReference: { } o } when o.Length is 0 or > 50 => "orderReference must be 1 to 50 characters.",
            { PayeeReference: { } p } when p.Length is 0 or > 50 => "payeeReference must be 1 to 50 characters.",
            { Callbacks: false, CallbackUrl: not null } => "callbackUrl and callbacks false contradict each other.",
            { CallbackUrl: { } u } when !Uri.TryCreate(u, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") => "callbackUrl must be an absolute http or https URL.",
            _ => null,
        };
        return error is null ? (generation, null) : (null, error);
    }
}
