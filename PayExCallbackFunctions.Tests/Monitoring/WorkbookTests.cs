using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PayExCallbackFunctions.Callbacks;
using PayExCallbackFunctions.PayEx;
using PayExCallbackFunctions.Telemetry;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Monitoring;

/// <summary>
/// The workbook and the .kql files in infra/monitoring say the same thing, and both ask only for
/// telemetry the app sends: a renamed metric or span would otherwise leave a chart silently empty.
/// </summary>
public partial class WorkbookTests
{
    // The app's own names: a rename in the app fails here until the queries follow.
    private static readonly string[] MetricNames =
    [
        CallbackMetrics.Received,
        CallbackMetrics.Rejected,
        CallbackMetrics.Processed,
        CallbackMetrics.Retries,
        CallbackMetrics.DeadLetters,
        CallbackMetrics.Lag,
        CallbackMetrics.PayExDuration,
        CallbackMetrics.QueueDepth,
        CallbackMetrics.QueueOldestAge,
        PayExCallbackFunctions.Events.EventMetrics.Delivered,
        PayExCallbackFunctions.Events.EventMetrics.Failed,
        PayExCallbackFunctions.Events.EventMetrics.Undelivered,
        PayExCallbackFunctions.Events.EventMetrics.Lag,
    ];

    private static readonly string[] SpanNames =
    [
        "POST /api/payex/callbacks",
        CallbackTracing.AcknowledgeSpan,
        CallbackTracing.ProcessSpan,
        CallbackTracing.PayExGetSpanPrefix + TelemetryTags.ResourceName(PayExResourceKind.Payment),
        CallbackTracing.PayExGetSpanPrefix + TelemetryTags.ResourceName(PayExResourceKind.Transaction),
        CallbackTracing.PayExGetSpanPrefix + TelemetryTags.ResourceName(PayExResourceKind.PaymentOrder),
        "GET",
        CallbackTracing.StoreSpan,
    ];

    // A query may match the PayEx GET spans by this prefix (name startswith "PayEx GET ").
    private const string PayExGetSpanPrefix = CallbackTracing.PayExGetSpanPrefix;

    private static readonly string[] Dimensions =
    [
        // Span attributes and metric tags.
        .. typeof(TelemetryTags).GetFields().Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name != nameof(TelemetryTags.UnknownShape)).Select(f => (string)f.GetRawConstantValue()!),
        "url.full", "server.address", PayExCallbackFunctions.Events.EventMetrics.SinkTag,
        // Log scopes and message parameters.
        "CallbackId", "PaymentNumber", "TransactionNumber", "PaymentOrderId",
    ];

    private const string ComponentsResourceType = "microsoft.insights/components";

    private static readonly string MonitoringDirectory = Path.Combine(RepoPaths.Root, "infra", "monitoring");

    public static TheoryData<string> QueryFiles() => new(QueryFileNames());

    private static List<string> QueryFileNames() =>
        Directory.EnumerateFiles(Path.Combine(MonitoringDirectory, "queries"), "*.kql")
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void The_workbook_is_a_serialized_Notebook_1_0_template()
    {
        var workbook = Workbook();

        Assert.Equal("Notebook/1.0", (string?)workbook["version"]);
        Assert.NotEmpty(Items(workbook));
    }

    [Fact]
    public void There_are_queries_to_check()
    {
        // Guards the theories below: with no .kql files they would pass by checking nothing.
        Assert.True(QueryFileNames().Count >= 8, $"Expected the .kql files in {MonitoringDirectory}/queries.");
    }

    [Theory]
    [MemberData(nameof(QueryFiles))]
    public void Each_query_file_is_in_the_workbook_once_as_it_is_with_the_workbook_parameters(string file)
    {
        var kql = File.ReadAllText(QueryPath(file));
        Assert.True(TimeFilter().IsMatch(Normalised(kql)), $"{file} has no line '| where timestamp > ago(...)' for the workbook's time range to replace.");

        var expected = ForWorkbook(kql);
        if (file == "one-callback.kql")
        {
            Assert.Contains("let callbackId = \"{CallbackId}\";", expected, StringComparison.Ordinal);
        }

        var matches = QueryItems(Workbook()).Count(item => Normalised((string?)item["content"]?["query"] ?? "") == expected);
        Assert.True(
            matches == 1,
            $"The workbook has {matches} query items whose query is {file} with '| where timestamp {{TimeRange}}'" +
            $" (and callbackId = \"{{CallbackId}}\"); expected exactly one. Expected query:\n{expected}");
    }

    [Fact]
    public void Every_workbook_query_comes_from_a_query_file()
    {
        var expected = QueryFileNames().Select(file => ForWorkbook(File.ReadAllText(QueryPath(file)))).ToHashSet(StringComparer.Ordinal);

        foreach (var item in QueryItems(Workbook()))
        {
            var query = Normalised((string?)item["content"]?["query"] ?? "");
            Assert.True(expected.Contains(query), $"Workbook item '{(string?)item["name"]}' has a query that is in no .kql file:\n{query}");
        }
    }

    [Theory]
    [MemberData(nameof(QueryFiles))]
    public void Each_query_asks_only_for_metrics_spans_and_dimensions_the_app_sends(string file)
    {
        var literals = StringLiterals(File.ReadAllText(QueryPath(file)));

        var unknown = new List<string>();
        foreach (var (literal, isDimension) in literals)
        {
            if (isDimension)
            {
                if (!Dimensions.Contains(literal, StringComparer.Ordinal))
                {
                    unknown.Add($"dimension \"{literal}\"");
                }
            }
            else if (literal.StartsWith("payex.", StringComparison.OrdinalIgnoreCase))
            {
                if (!MetricNames.Contains(literal, StringComparer.Ordinal))
                {
                    unknown.Add($"metric \"{literal}\"");
                }
            }
            else if (literal.EndsWith(" callback", StringComparison.OrdinalIgnoreCase)
                || literal.StartsWith(PayExGetSpanPrefix.TrimEnd(), StringComparison.OrdinalIgnoreCase))
            {
                if (!SpanNames.Contains(literal, StringComparer.Ordinal) && literal != PayExGetSpanPrefix)
                {
                    unknown.Add($"span \"{literal}\"");
                }
            }
        }

        Assert.True(unknown.Count == 0, $"{file} names telemetry the app does not send: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void Every_query_item_queries_the_Application_Insights_resource()
    {
        var items = QueryItems(Workbook());
        Assert.NotEmpty(items);

        foreach (var item in items)
        {
            Assert.Equal(ComponentsResourceType, (string?)item["content"]?["resourceType"]);
            // 0 is Logs (Analytics): the KQL runs against the resource's requests, dependencies, customMetrics, traces.
            Assert.Equal(0, (int?)item["content"]?["queryType"]);
        }
    }

    [Fact]
    public void Every_parameter_a_query_uses_is_defined()
    {
        var workbook = Workbook();
        var defined = Items(workbook)
            .Where(item => (int?)item["type"] == 9)
            .SelectMany(item => item["content"]?["parameters"]?.AsArray() ?? [])
            .Select(parameter => (string?)parameter?["name"])
            .ToHashSet(StringComparer.Ordinal);

        foreach (var item in QueryItems(workbook))
        {
            foreach (Match use in ParameterUse().Matches((string?)item["content"]?["query"] ?? ""))
            {
                Assert.True(defined.Contains(use.Groups["name"].Value), $"'{(string?)item["name"]}' uses {{{use.Groups["name"].Value}}}, which no parameter item defines.");
            }
        }
    }

    /// <summary>
    /// The .kql file as the workbook holds it: the time filter follows the workbook's time range
    /// picker, and the callback id comes from its text parameter. Nothing else may differ.
    /// </summary>
    internal static string ForWorkbook(string kql)
    {
        var text = TimeFilter().Replace(Normalised(kql), "${indent}| where timestamp {TimeRange}");
        return CallbackIdLine().Replace(text, "let callbackId = \"{CallbackId}\";");
    }

    // Line endings as git may check them out on Windows, and the file's final newline, do not count.
    private static string Normalised(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n');

    /// <summary>Every string literal outside comments, and whether it is a key of customDimensions.</summary>
    private static List<(string Literal, bool IsDimension)> StringLiterals(string kql)
    {
        var code = string.Join('\n', Normalised(kql).Split('\n').Where(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal)));
        return StringLiteral().Matches(code)
            .Select(match => (match.Groups["text"].Value, code[..match.Index].EndsWith("customDimensions[", StringComparison.Ordinal)))
            .ToList();
    }

    private static string QueryPath(string file) => Path.Combine(MonitoringDirectory, "queries", file);

    private static JsonNode Workbook() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(MonitoringDirectory, "workbook.json"))) ?? throw new InvalidOperationException("workbook.json is null.");

    private static List<JsonNode> Items(JsonNode workbook) =>
        workbook["items"]?.AsArray().Select(item => item ?? throw new InvalidOperationException("A null workbook item.")).ToList() ?? [];

    // Type 3 is a query item (KqlItem/1.0).
    private static List<JsonNode> QueryItems(JsonNode workbook) => Items(workbook).Where(item => (int?)item["type"] == 3).ToList();

    [GeneratedRegex(@"^(?<indent>[ \t]*)\| where timestamp > ago\(\d+[smhd]\)$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex TimeFilter();

    [GeneratedRegex(@"^let callbackId = "".*"";$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex CallbackIdLine();

    [GeneratedRegex(@"""(?<text>(?:[^""\\\n]|\\.)*)""", RegexOptions.CultureInvariant)]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(:[^}]*)?\}", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterUse();
}
