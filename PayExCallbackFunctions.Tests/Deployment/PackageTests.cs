using System.Net;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Tests.Deployment;

/// <summary>
/// The package that is deployed, read as the Functions host reads it: functions.metadata for the
/// functions and their triggers, worker.config.json for the worker to start, extensions.json and
/// .azurefunctions/ for the host's extensions; and the app in it, ReadyToRun for linux-x64, running under the real host.
/// </summary>
[SupportedOSPlatform("linux")]
public partial class PackageTests(FunctionAppPackage package) : IClassFixture<FunctionAppPackage>
{
    private static readonly Assembly App = typeof(Functions.PayExCallback).Assembly;

    /// <summary>A function's trigger, in the terms of functions.metadata.</summary>
    private sealed record Trigger(string Function, string Type, string? AuthLevel = null, string? Methods = null, string? Route = null, string? QueueName = null, string? Connection = null, string? Schedule = null);

    /// <summary>What the app is meant to serve (the README's functions): a function that disappears, or changes its route or key, fails here.</summary>
    private static readonly Trigger[] Expected =
    [
        new("PayExCallback", "httpTrigger", "Function", "post", "payex/callbacks"),
        new("ProcessPayExCallback", "queueTrigger", QueueName: "%PayExCallbackQueue%"),
        new("DeadLetterPoisonCallback", "queueTrigger", QueueName: "%PayExCallbackQueue%-poison"),
        new("PayExDeadLetters", "httpTrigger", "Admin", "get", "payex/deadletters"),
        new("PayExDeadLetter", "httpTrigger", "Admin", "get,delete", "payex/deadletters/{id}"),
        new("ReplayPayExDeadLetter", "httpTrigger", "Admin", "post", "payex/deadletters/{id}/replay"),
        new("ReplayAllPayExDeadLetters", "httpTrigger", "Admin", "post", "payex/deadletters/replay"),
        new("PayExStatus", "httpTrigger", "Admin", "get,post", "payex/status/{*rest}"),
        new("PayExPayments", "httpTrigger", "Function", "get,post,delete", "payments/{*rest}"),
        new("SweepPayExChecks", "timerTrigger", Schedule: "%PayExTrackingSweep%"),
        new("PayExUndeliveredEvents", "httpTrigger", "Admin", "get", "payex/events/undelivered"),
        new("ReplayPayExUndeliveredEvent", "httpTrigger", "Admin", "post", "payex/events/undelivered/{id}/replay"),
        new("DiscardPayExUndeliveredEvent", "httpTrigger", "Admin", "delete", "payex/events/undelivered/{id}"),
    ];

    /// <summary>The triggers the code declares: every [Function] method and its trigger attribute.</summary>
    private static List<Trigger> Declared() =>
        App.GetTypes()
            .SelectMany(type => type.GetMethods())
            .Select(method => (Method: method, Function: method.GetCustomAttribute<FunctionAttribute>()))
            .Where(f => f.Function is not null)
            .Select(f =>
            {
                var parameters = f.Method.GetParameters();
                if (parameters.Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).SingleOrDefault(a => a is not null) is { } http)
                {
                    return new Trigger(f.Function!.Name, "httpTrigger", http.AuthLevel.ToString(), string.Join(',', http.Methods ?? []), http.Route);
                }

                if (parameters.Select(p => p.GetCustomAttribute<TimerTriggerAttribute>()).SingleOrDefault(a => a is not null) is { } timer)
                {
                    return new Trigger(f.Function!.Name, "timerTrigger", Schedule: timer.Schedule);
                }

                var queue = parameters.Select(p => p.GetCustomAttribute<QueueTriggerAttribute>()).Single(a => a is not null)!;
                return new Trigger(f.Function!.Name, "queueTrigger", QueueName: queue.QueueName, Connection: queue.Connection);
            })
            .OrderBy(t => t.Function, StringComparer.Ordinal)
            .ToList();

    private JsonArray Metadata() => JsonNode.Parse(File.ReadAllText(package.PathOf("functions.metadata")))!.AsArray();

    /// <summary>The triggers functions.metadata gives the host.</summary>
    private List<Trigger> Listed() =>
        Metadata()
            .Select(function =>
            {
                var name = function!["name"]!.GetValue<string>();
                var trigger = Assert.Single(function["bindings"]!.AsArray(), b => b!["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal))!;
                return trigger["type"]!.GetValue<string>() switch
                {
                    "httpTrigger" => new Trigger(name, "httpTrigger", trigger["authLevel"]?.GetValue<string>(), string.Join(',', trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>())), trigger["route"]?.GetValue<string>()),
                    "timerTrigger" => new Trigger(name, "timerTrigger", Schedule: trigger["schedule"]?.GetValue<string>()),
                    var type => new Trigger(name, type, QueueName: trigger["queueName"]?.GetValue<string>(), Connection: trigger["connection"]?.GetValue<string>()),
                };
            })
            .OrderBy(t => t.Function, StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void Functions_metadata_lists_every_function_the_code_declares_with_its_trigger_route_methods_and_key()
    {
        var declared = Declared();

        Assert.Equal(Expected.OrderBy(t => t.Function, StringComparer.Ordinal), declared);
        Assert.Equal(declared, Listed());
        // The queue triggers use the host's storage connection (AzureWebJobsStorage), the one the deployment configures.
        Assert.All(declared.Where(t => t.Type == "queueTrigger"), t => Assert.True(t.Connection is null or "AzureWebJobsStorage", $"{t.Function} uses connection {t.Connection}"));
    }

    /// <summary>
    /// On Flex Consumption the platform's scale controller, not the host, reads these settings to watch a
    /// trigger's source and add instances; it has failed to resolve hierarchical names (Section:Key, set as
    /// Section__Key) that the host resolves, and a queue it cannot resolve is never scaled out.
    /// </summary>
    [Fact]
    public void Every_setting_a_trigger_names_in_the_metadata_is_flat_so_the_scale_controller_can_read_it()
    {
        var named = Metadata()
            .SelectMany(function => function!["bindings"]!.AsArray().Select(binding => (Function: function["name"]!.GetValue<string>(), Binding: binding!.AsObject())))
            .Where(b => b.Binding["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal) && b.Binding["type"]!.GetValue<string>() != "httpTrigger")
            .SelectMany(b => b.Binding
                .Where(p => p.Value is JsonValue value && value.TryGetValue<string>(out _))
                .SelectMany(p => p.Key == "connection"
                    ? [p.Value!.GetValue<string>()]
                    : SettingReference().Matches(p.Value!.GetValue<string>()).Select(m => m.Groups[1].Value))
                .Select(setting => (b.Function, Setting: setting)))
            .ToList();

        Assert.All(named, n => Assert.False(n.Setting.Contains(':', StringComparison.Ordinal) || n.Setting.Contains("__", StringComparison.Ordinal), $"{n.Function} names its trigger's setting '{n.Setting}', which is hierarchical"));
        Assert.Contains(named, n => n.Function == "ProcessPayExCallback" && n.Setting == "PayExCallbackQueue");
        Assert.Contains(named, n => n.Function == "SweepPayExChecks" && n.Setting == "PayExTrackingSweep");
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();

    [Fact]
    public void Every_function_in_the_metadata_runs_a_method_of_the_packaged_assembly_and_the_http_ones_answer_with_their_return_value()
    {
        foreach (var function in Metadata())
        {
            var name = function!["name"]!.GetValue<string>();
            Assert.Equal("dotnet-isolated", function["language"]!.GetValue<string>());
            Assert.True(File.Exists(package.PathOf(function["scriptFile"]!.GetValue<string>())), $"{name}: {function["scriptFile"]} is not in the package");
            var entryPoint = function["entryPoint"]!.GetValue<string>();
            var type = App.GetType(entryPoint[..entryPoint.LastIndexOf('.')], throwOnError: true)!;
            Assert.NotNull(type.GetMethod(entryPoint[(entryPoint.LastIndexOf('.') + 1)..]));
            if (function["bindings"]!.AsArray().Any(b => b!["type"]!.GetValue<string>() == "httpTrigger"))
            {
                Assert.Contains(function["bindings"]!.AsArray(), b => b!["type"]!.GetValue<string>() == "http" && b["name"]!.GetValue<string>() == "$return");
            }
        }
    }

    [Fact]
    public void Worker_config_starts_the_packaged_assembly_with_dotnet_and_the_package_asks_for_the_net_the_platform_provides()
    {
        var description = JsonNode.Parse(File.ReadAllText(package.PathOf("worker.config.json")))!["description"]!;

        Assert.Equal("dotnet-isolated", description["language"]!.GetValue<string>());
        // Framework-dependent: the platform's .NET runs it; HostProcess finds the worker by this name too.
        Assert.Equal("dotnet", description["defaultExecutablePath"]!.GetValue<string>());
        var worker = description["defaultWorkerPath"]!.GetValue<string>();
        Assert.Equal("PayExCallbackFunctions.dll", worker);
        Assert.True(File.Exists(package.PathOf(worker)), $"{worker} is not in the package");
        Assert.All(Metadata(), f => Assert.Equal(worker, f!["scriptFile"]!.GetValue<string>()));

        // The runtime it asks for is the one infra/ sets (functionAppConfig.runtime, InfraTests).
        var runtime = JsonNode.Parse(File.ReadAllText(package.PathOf("PayExCallbackFunctions.runtimeconfig.json")))!["runtimeOptions"]!;
        Assert.Equal("net10.0", runtime["tfm"]!.GetValue<string>());
        var frameworks = runtime["frameworks"]!.AsArray().Select(f => (Name: f!["name"]!.GetValue<string>(), Version: f["version"]!.GetValue<string>())).ToList();
        Assert.Contains(frameworks, f => f.Name == "Microsoft.NETCore.App" && f.Version.StartsWith("10.0.", StringComparison.Ordinal));
        Assert.Contains(frameworks, f => f.Name == "Microsoft.AspNetCore.App" && f.Version.StartsWith("10.0.", StringComparison.Ordinal));
        Assert.False(File.Exists(package.PathOf("libcoreclr.so")), "the package is self-contained: it carries a runtime of its own");
    }

    [Fact]
    public void Extensions_json_points_the_host_at_an_extension_in_dot_azurefunctions_for_every_worker_extension_the_app_uses()
    {
        var extensions = JsonNode.Parse(File.ReadAllText(package.PathOf("extensions.json")))!["extensions"]!.AsArray();
        var hinted = extensions.Select(e => e!["hintPath"]!.GetValue<string>()).ToList();

        Assert.All(hinted, hint => Assert.True(File.Exists(Path.Combine(package.Root, hint)), $"extensions.json names {hint}, which is not in the package"));
        // The queue triggers' extension, and the loader that reads functions.metadata.
        Assert.Contains("./.azurefunctions/Microsoft.Azure.WebJobs.Extensions.Storage.Queues.dll", hinted);
        Assert.Contains("./.azurefunctions/Microsoft.Azure.WebJobs.Extensions.FunctionMetadataLoader.dll", hinted);

        // Each worker extension in the package names the host extension it needs (ExtensionInformation); each must be there.
        var needed = Directory.GetFiles(package.Root, "Microsoft.Azure.Functions.Worker.Extensions.*.dll")
            .Select(path => Assembly.Load(AssemblyName.GetAssemblyName(path)))
            .SelectMany(assembly => assembly.GetCustomAttributesData())
            .Where(a => a.AttributeType.Name == "ExtensionInformationAttribute")
            .Select(a => (string)a.ConstructorArguments[0].Value!)
            .Distinct()
            .ToList();
        Assert.Contains("Microsoft.Azure.WebJobs.Extensions.Storage.Queues", needed);
        Assert.All(needed, extension => Assert.True(File.Exists(package.PathOf($".azurefunctions/{extension}.dll")), $"{extension} is not in .azurefunctions/"));
    }

    [Fact]
    public void The_app_assembly_is_ReadyToRun_for_linux_x64()
    {
        Assert.True(IsReadyToRunForLinuxX64(package.PathOf("PayExCallbackFunctions.dll")), "the packaged PayExCallbackFunctions.dll is not ReadyToRun for linux-x64");
        // The check can fail: the build the tests run against is IL only.
        Assert.False(IsReadyToRunForLinuxX64(App.Location), $"{App.Location} should be IL only");
    }

    /// <summary>
    /// crossgen2's output: a ReadyToRun header ("RTR") where the CLI header's managed native header
    /// points, the IL library flag, and the machine of Linux x64 (AMD64 xor Linux's 0x7B79).
    /// </summary>
    private static bool IsReadyToRunForLinuxX64(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var cli = pe.PEHeaders.CorHeader;
        if (cli is null || cli.ManagedNativeHeaderDirectory.Size == 0 || !cli.Flags.HasFlag(CorFlags.ILLibrary))
        {
            return false;
        }

        var signature = pe.GetSectionData(cli.ManagedNativeHeaderDirectory.RelativeVirtualAddress).GetReader().ReadUInt32();
        return signature == 0x00525452 && ((ushort)pe.PEHeaders.CoffHeader.Machine ^ 0x7B79) == (ushort)Machine.Amd64;
    }

    [Fact]
    public void The_package_holds_the_repositorys_host_json_and_nothing_of_local_development_or_of_a_custom_handler()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "PayExCallbackFunctions", "host.json")), File.ReadAllText(package.PathOf("host.json")));
        var host = JsonNode.Parse(File.ReadAllText(package.PathOf("host.json")))!.AsObject();
        Assert.False(host.ContainsKey("customHandler"));
        // The extensions come with the package (.azurefunctions/), not from a bundle.
        Assert.False(host.ContainsKey("extensionBundle"));

        var files = Directory.GetFiles(package.Root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(package.Root, f)).ToList();
        Assert.DoesNotContain(files, f => Path.GetFileName(f) == "local.settings.json");
        Assert.DoesNotContain(files, f => Path.GetFileName(f) == "function.json");
        Assert.False(Directory.Exists(package.PathOf("handler")), "a custom handler's folder is in the package");
        Assert.Contains("appsettings.json", files);
    }

    [Fact]
    public async Task The_published_package_under_the_Functions_host_serves_every_function_and_stores_a_callback()
    {
        await using var payEx = await StandIn.StartAsync();
        await using var storage = await TestStorage.CreateAsync();
        var callback = new ExampleCallback();
        callback.Serve(payEx);
        await using var app = await HostProcess.StartAsync(storage.Settings(payEx), scriptRoot: package.Root);

        // The host read the package's functions.metadata: all of them, and nothing else.
        using var listed = await app.Http.GetAsync("/admin/functions");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var names = JsonNode.Parse(await listed.Content.ReadAsStringAsync())!.AsArray().Select(f => f!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal);
        Assert.Equal(Expected.Select(t => t.Function).Order(StringComparer.Ordinal), names);
        // The worker it runs is the packaged one.
        Assert.True(app.WorkerProcessId > 0, "no worker process");
        Assert.Contains(package.Root, File.ReadAllText($"/proc/{app.WorkerProcessId}/cmdline").Replace('\0', ' '), StringComparison.Ordinal);

        // Acknowledged under the function key, queued, processed by the queue trigger, stored.
        await callback.AcknowledgeAsync(app);
        await storage.WaitForRowsAsync(callback.Payment, callback.RowKeys);
    }
}
