using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace PayExCallbackFunctions.Status;

/// <summary>
/// Markup that is safe to send: only an interpolated string literal can become one, and every value
/// interpolated into it is HTML-encoded unless it is <see cref="Html"/> itself. So no value, however
/// it got there (a dead letter's reason, an id, a query parameter), can end up in the page unencoded.
/// </summary>
public sealed class Html
{
    public static readonly Html Empty = new("");

    private readonly string _markup;

    private Html(string markup) => _markup = markup;

    /// <summary>The template's literal parts as written, its values encoded.</summary>
    public static Html Of(ref HtmlTemplate template) => new(template.ToStringAndClear());

    public static Html Join(IEnumerable<Html> parts) => new(string.Concat(parts.Select(p => p._markup)));

    public override string ToString() => _markup;
}

/// <summary>Builds <see cref="Html"/> from an interpolated string: the compiler calls this, never app code (hence internal).</summary>
[InterpolatedStringHandler]
public ref struct HtmlTemplate
{
    private StringBuilder? _builder;

    internal HtmlTemplate(int literalLength, int formattedCount) => _builder = new StringBuilder(literalLength + (formattedCount * 16));

    internal readonly void AppendLiteral(string value) => _builder!.Append(value);

    internal readonly void AppendFormatted(Html? value) => _builder!.Append(value?.ToString());

    internal readonly void AppendFormatted(string? value) => _builder!.Append(HtmlEncoder.Default.Encode(value ?? ""));

    internal readonly void AppendFormatted<T>(T value) => AppendFormatted(value, format: null);

    internal readonly void AppendFormatted<T>(T value, string? format) =>
        AppendFormatted(value is IFormattable formattable ? formattable.ToString(format, CultureInfo.InvariantCulture) : value?.ToString());

    internal string ToStringAndClear()
    {
        var text = _builder!.ToString();
        _builder = null;
        return text;
    }
}
