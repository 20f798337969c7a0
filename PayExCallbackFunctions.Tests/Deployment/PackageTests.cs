using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Deployment;

/// <summary>
/// The zip that is deployed: everything the Functions host reads is in it, where the host looks, and
/// the handler in it runs as the host runs it, on a machine without .NET if need be.
/// </summary>
[SupportedOSPlatform("linux")]
public class PackageTests(FunctionAppPackage package) : IClassFixture<FunctionAppPackage>
{
    /// <summary>The function folders of the repository: a folder at the root with a function.json.</summary>
    private static string[] RepoFunctions() =>
        Directory.GetDirectories(RepoPaths.Root)
            .Where(dir => File.Exists(Path.Combine(dir, "function.json")))
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .ToArray()!;

    /// <summary>The handler as the host resolves host.json's customHandler.description: relative to the app root.</summary>
    private Executable Handler()
    {
        var description = JsonNode.Parse(File.ReadAllText(Path.Combine(package.Root, "host.json")))!["customHandler"]!["description"]!;
        var workingDirectory = description["workingDirectory"]?.GetValue<string>() is { Length: > 0 } dir ? Path.Combine(package.Root, dir) : package.Root;
        Assert.Null(description["arguments"]);
        return new Executable(Path.Combine(workingDirectory, description["defaultExecutablePath"]!.GetValue<string>()), workingDirectory);
    }

    [Fact]
    public void The_zip_holds_host_json_and_every_function_folder_of_the_repository_at_its_root()
    {
        using var zip = ZipFile.OpenRead(package.Zip);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("host.json", entries);
        Assert.Contains(entries, e => e.StartsWith(".azurefunctions/", StringComparison.Ordinal));
        var functions = RepoFunctions();
        Assert.Contains("ProcessPayExCallback", functions);
        Assert.Contains("PayExCallback", functions);
        foreach (var function in functions)
        {
            Assert.Contains($"{function}/function.json", entries);
            Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, function, "function.json")), File.ReadAllText(Path.Combine(package.Root, function, "function.json")));
        }

        // No function the repository does not have (a stale folder would be a function the host serves).
        var packaged = Directory.GetDirectories(package.Root).Where(dir => File.Exists(Path.Combine(dir, "function.json"))).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(functions, packaged);
        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json")), File.ReadAllText(Path.Combine(package.Root, "host.json")));
    }

    [Fact]
    public void Host_json_names_a_native_executable_in_the_zip_that_needs_no_dotnet_on_the_machine()
    {
        var handler = Handler();

        Assert.True(File.Exists(handler.Path), $"{handler.Path} is not in the package");
        Assert.True(File.GetUnixFileMode(handler.Path).HasFlag(UnixFileMode.UserExecute), "the handler is not executable once unzipped");
        Assert.Equal("\u007fELF"u8.ToArray(), File.ReadAllBytes(handler.Path)[..4]);
        // Native AOT: the runtime and ASP.NET Core are compiled into the executable; no IL, no runtime beside it.
        var handlerDir = Path.GetDirectoryName(handler.Path)!;
        Assert.Empty(Directory.GetFiles(handlerDir, "*.dll"));
        Assert.False(File.Exists(Path.Combine(handlerDir, "libcoreclr.so")), "a JIT runtime is in the package");
        Assert.False(File.Exists(Path.Combine(handlerDir, "PayExCallbackFunctions.runtimeconfig.json")), "the handler needs a .NET host");
        // The debug symbols (several times the executable) stay out of the zip.
        Assert.Empty(Directory.GetFiles(handlerDir, "*.dbg"));
    }

    [Fact]
    public async Task The_packaged_handler_started_as_the_host_starts_it_acknowledges_a_forwarded_callback_and_processes_a_queue_invocation()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        var callback = new ExampleCallback();
        callback.Serve(payEx);
        var settings = storage.Settings(payEx);
        // As in Azure: production, and no keys of its own (the host checks function keys).
        settings["DOTNET_ENVIRONMENT"] = "Production";
        settings.Remove("Access__CallbackKeys");
        settings.Remove("Access__AdminKey");
        await using var app = await AppProcess.StartAsync(settings, customHandler: true, Handler());

        // The HTTP function, as the host proxies it after its key check.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/payex/callbacks")
        {
            Content = new StringContent(callback.Json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Forwarded-For", "91.132.170.1");
        using var acknowledged = await app.Raw.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        var id = (await acknowledged.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        // The queue function, as the host's queue trigger invokes it with the message it took.
        var message = await Eventually.GetAsync(async () =>
        {
            foreach (var queued in (await storage.Queue.ReceiveMessagesAsync(32)).Value)
            {
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(queued.Body.ToString()));
                if (JsonNode.Parse(text)!["id"]!.GetValue<string>() == id)
                {
                    await storage.Queue.DeleteMessageAsync(queued.MessageId, queued.PopReceipt);
                    return text;
                }
            }

            return null;
        }, "the acknowledged callback on the queue");
        var invocation = new JsonObject
        {
            ["Data"] = new JsonObject { ["message"] = JsonNode.Parse(message) },
            ["Metadata"] = new JsonObject { ["DequeueCount"] = 1, ["Id"] = Guid.NewGuid().ToString(), ["InsertionTime"] = DateTimeOffset.UtcNow.ToString("O") },
        };
        using var invoked = await app.Raw.PostAsync("/ProcessPayExCallback", new StringContent(invocation.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, invoked.StatusCode);

        var rows = await storage.RowsAsync(callback.Payment);
        Assert.Equal(callback.RowKeys.Order(), rows.Select(r => r.RowKey).Order());
        // Started in the app root, the handler still read its appsettings.json (ASP.NET Core's routine lines held at Warning).
        Assert.DoesNotContain("Executing endpoint", app.Output, StringComparison.Ordinal);
        Assert.Contains("Running as a Functions custom handler", app.Output, StringComparison.Ordinal);
        // The address the allowlist would check, as the host forwards it: logged, so it can be checked before the allowlist is on.
        Assert.Contains($"Acknowledged callback {id}", app.Output, StringComparison.Ordinal);
        Assert.Contains("from 91.132.170.1", app.Output, StringComparison.Ordinal);
    }
}
