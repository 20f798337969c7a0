using System.Text.Json.Nodes;
using PayExCallbackFunctions.Hosting;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Hosting;

public class QueuesOptionsTests
{
    [Fact]
    public void The_host_hands_messages_over_as_they_are_so_that_one_that_is_not_base64_reaches_the_app()
    {
        var hostJson = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.AppOutput, "host.json")))!;

        Assert.Equal("none", hostJson["extensions"]!["queues"]!["messageEncoding"]!.GetValue<string>());
        Assert.True(new QueuesOptionsValidator().Validate(null, new QueuesOptions { MessageEncoding = "None" }).Succeeded);
    }

    [Fact]
    public void A_host_that_decodes_base64_itself_stops_start_up_naming_the_setting()
    {
        var result = new QueuesOptionsValidator().Validate(null, new QueuesOptions { MessageEncoding = "base64" });

        Assert.True(result.Failed);
        Assert.Contains("AzureFunctionsJobHost__extensions__queues__messageEncoding) is 'base64' and must be none", result.FailureMessage, StringComparison.Ordinal);
    }
}
