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
    // The trigger as the function declares it (the worker's SDK writes it to functions.metadata from this).
    private static readonly JsonObject Trigger = ReadTrigger();

    private static JsonObject ReadTrigger()
    {
        var method = typeof(PayExCallbackFunctions.Telemetry.TelemetryServices).Assembly.GetTypes().SelectMany(t => t.GetMethods())
            .Single(m => m.GetCustomAttributes(typeof(Microsoft.Azure.Functions.Worker.FunctionAttribute), false)
                .Cast<Microsoft.Azure.Functions.Worker.FunctionAttribute>().Any(f => f.Name == "PayExStatus"));
        var trigger = method.GetParameters().SelectMany(p => p.GetCustomAttributes(typeof(Microsoft.Azure.Functions.Worker.HttpTriggerAttribute), false))
            .Cast<Microsoft.Azure.Functions.Worker.HttpTriggerAttribute>().Single();
        return new JsonObject
        {
            ["authLevel"] = trigger.AuthLevel.ToString().ToLowerInvariant(),
            ["methods"] = new JsonArray(trigger.Methods!.Select(m => (JsonNode)m.ToLowerInvariant()).ToArray()),
            ["route"] = trigger.Route,
        };
    }

    [Fact]
    public void The_function_takes_gets_and_posts_behind_the_master_key()
    {
        Assert.Equal("admin", Trigger["authLevel"]!.GetValue<string>());
        Assert.Equal(["get", "post"], Trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()).Order());
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
