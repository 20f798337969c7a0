using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Status;

/// <summary>
/// The status page under the Functions host: one function, PayExStatus, whose route takes the page
/// and its buttons alike, the host checking the master key; the handler answers them all.
/// </summary>
public class StatusFunctionTests
{
    private static readonly JsonObject Trigger = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "PayExStatus", "function.json")))!["bindings"]!
        .AsArray().Single(b => b!["type"]!.GetValue<string>() == "httpTrigger")!.AsObject();

    [Fact]
    public void The_function_takes_gets_and_posts_behind_the_master_key()
    {
        Assert.Equal("admin", Trigger["authLevel"]!.GetValue<string>());
        Assert.Equal(["get", "post"], Trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()).Order());
        Assert.Contains("PayExStatus", File.ReadAllText(Path.Combine(RepoPaths.Root, "PayExCallbackFunctions", "PayExCallbackFunctions.csproj")));
    }

    [Theory]
    [InlineData("/api/payex/status")]
    [InlineData("/api/payex/status/")]
    [InlineData("/api/payex/status/deadletters/0123456789abcdef0123456789abcdef/replay")]
    [InlineData("/api/payex/status/deadletters/replay")]
    public void Its_route_matches_the_page_and_its_buttons_as_the_host_routes_them(string path)
    {
        // The host matches function routes as ASP.NET Core templates, under host.json's routePrefix "api".
        var template = TemplateParser.Parse($"api/{Trigger["route"]!.GetValue<string>()}");
        var matcher = new TemplateMatcher(template, new RouteValueDictionary());

        Assert.True(matcher.TryMatch(path, new RouteValueDictionary()), $"{template.TemplateText} does not match {path}");
    }
}
