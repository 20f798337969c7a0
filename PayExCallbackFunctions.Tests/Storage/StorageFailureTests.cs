using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moq;
using PayExCallbackFunctions.DeadLetters;
using PayExCallbackFunctions.Status;
using PayExCallbackFunctions.Storage;

namespace PayExCallbackFunctions.Tests.Storage;

/// <summary>
/// One answer to storage failing, on both of the operator's ways in: the admin API and the status page,
/// over the app's own services with the Azure clients mocked to fail as they do (a narrow test: the real
/// storage outage is the end-to-end StatusPageTests' storage-down test).
/// </summary>
public class StorageFailureTests
{
    private const string Key = "k";

    /// <summary>Each way a storage call ends when storage is unavailable, as the Azure clients throw it.</summary>
    private static Exception Unavailable(string kind) => kind switch
    {
        "503 server busy" => new RequestFailedException(503, "The server is busy.", "ServerBusy", null),
        "500 internal error" => new RequestFailedException(500, "Internal error.", "InternalError", null),
        "403 authorization failure" => new RequestFailedException(403, "This request is not authorized to perform this operation.", "AuthorizationFailure", null),
        "no answer" => NoAnswer(),
        "retries exhausted" => new AggregateException("Retry failed after 3 tries.", NoAnswer(), NoAnswer(), NoAnswer()),
        "network timeout" => NetworkTimeout(),
        "retries exhausted on timeouts" => new AggregateException("Retry failed after 3 tries.", NetworkTimeout(), NetworkTimeout(), NetworkTimeout()),
        "identity token failed" => new AuthenticationFailedException("ManagedIdentityCredential authentication failed."),
        "no identity" => new CredentialUnavailableException("No managed identity endpoint found."),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static TheoryData<string> UnavailableKinds => new()
    {
        "503 server busy", "500 internal error", "403 authorization failure", "no answer", "retries exhausted",
        "network timeout", "retries exhausted on timeouts", "identity token failed", "no identity",
    };

    /// <summary>Failures that are no outage: storage refusing the request itself, and bugs.</summary>
    private static Exception NotUnavailable(string kind) => kind switch
    {
        "400 bad request" => new RequestFailedException(400, "The request is invalid.", "InvalidInput", null),
        "413 too large" => new RequestFailedException(413, "The request body is too large.", "RequestBodyTooLarge", null),
        "a bug" => new InvalidOperationException("A bug."),
        "a bug among failed tries" => new AggregateException(NoAnswer(), new InvalidOperationException("A bug.")),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static TheoryData<string> NotUnavailableKinds => new() { "400 bad request", "413 too large", "a bug", "a bug among failed tries" };

    // How Azure.Core reports a connection refused or reset: status 0.
    private static RequestFailedException NoAnswer() =>
        new("Connection refused (127.0.0.1:10001)", new HttpRequestException("Connection refused"));

    // How Azure.Core reports its NetworkTimeout passing: cancelled, though nobody cancelled the caller's token.
    private static TaskCanceledException NetworkTimeout() =>
        new("The operation was cancelled because it exceeded the configured timeout of 0:00:10.", new TimeoutException());

    [Theory]
    [MemberData(nameof(UnavailableKinds))]
    public void Each_way_storage_is_unavailable_is_classified_so(string kind) =>
        Assert.True(StorageFailure.IsUnavailable(Unavailable(kind), CancellationToken.None));

    [Theory]
    [MemberData(nameof(NotUnavailableKinds))]
    public void Storage_refusing_the_request_itself_and_bugs_are_not_storage_being_unavailable(string kind) =>
        Assert.False(StorageFailure.IsUnavailable(NotUnavailable(kind), CancellationToken.None));

    [Fact]
    public void A_cancellation_the_caller_asked_for_is_not_storage_being_unavailable()
    {
        using var caller = new CancellationTokenSource();
        caller.Cancel();

        Assert.False(StorageFailure.IsUnavailable(new OperationCanceledException(caller.Token), caller.Token));
        Assert.False(StorageFailure.IsUnavailable(new AggregateException(new TaskCanceledException()), caller.Token));
        // Cancelled by a deadline of the app's own, while the caller still waits: storage did not answer in time.
        Assert.True(StorageFailure.IsUnavailable(new OperationCanceledException(), CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(UnavailableKinds))]
    public async Task The_admin_API_and_the_status_page_answer_503_with_Retry_After_and_the_page_shows_what_it_could_not_read(string kind)
    {
        using var app = new MockedStorageApp(Unavailable(kind));

        foreach (var (name, call) in app.AdminCalls())
        {
            var answer = await app.ExecuteAsync(await call(CancellationToken.None));
            Assert.True(answer.Status == 503, $"{name}: {answer.Status} {answer.Body}");
            Assert.Equal("application/problem+json", answer.ContentType);
            var problem = JsonNode.Parse(answer.Body)!;
            Assert.Equal(503, problem["status"]!.GetValue<int>());
            Assert.Equal("Storage is unavailable.", problem["title"]!.GetValue<string>());
            Assert.Equal("5", answer.RetryAfter);
        }

        foreach (var (method, rest) in MockedStorageApp.PageButtons)
        {
            var answer = await app.PageAsync(method, rest, CancellationToken.None);
            Assert.True(answer.Status == 503, $"{method} {rest}: {answer.Status} {answer.Body}");
            Assert.StartsWith("text/html", answer.ContentType, StringComparison.Ordinal);
            Assert.Contains("<h1>Storage is unavailable</h1>", answer.Body);
            Assert.Equal("5", answer.RetryAfter);
        }

        var page = await app.PageAsync("GET", "", CancellationToken.None);
        Assert.Equal(200, page.Status);
        Assert.Contains("id=\"backlog-error\"", page.Body);
        Assert.Contains("id=\"dead-letters-error\"", page.Body);
        Assert.Contains("id=\"rejected-error\"", page.Body);
        Assert.Contains("id=\"payments-error\"", page.Body);
        Assert.Contains("id=\"tracking-error\"", page.Body);
    }

    [Theory]
    [MemberData(nameof(NotUnavailableKinds))]
    public async Task A_failure_that_is_no_outage_escapes_both_rather_than_being_answered_try_again(string kind)
    {
        using var app = new MockedStorageApp(NotUnavailable(kind));

        foreach (var (name, call) in app.AdminCalls())
        {
            var thrown = await Record.ExceptionAsync(() => call(CancellationToken.None));
            Assert.True(thrown is not null, $"{name} answered instead of failing");
        }

        foreach (var (method, rest) in MockedStorageApp.PageButtons)
        {
            Assert.NotNull(await Record.ExceptionAsync(() => app.PageAsync(method, rest, CancellationToken.None)));
        }
    }

    [Fact]
    public async Task A_caller_that_gave_up_gets_no_answer_from_either()
    {
        using var caller = new CancellationTokenSource();
        caller.Cancel();
        using var app = new MockedStorageApp(new OperationCanceledException(caller.Token));

        foreach (var (name, call) in app.AdminCalls())
        {
            var thrown = await Record.ExceptionAsync(() => call(caller.Token));
            Assert.True(thrown is OperationCanceledException, $"{name}: {thrown?.GetType().Name ?? "answered"}");
        }

        foreach (var (method, rest) in MockedStorageApp.PageButtons)
        {
            Assert.IsAssignableFrom<OperationCanceledException>(await Record.ExceptionAsync(() => app.PageAsync(method, rest, caller.Token)));
        }
    }

    /// <summary>The app's services, as Program adds them, over table and queue clients that throw <paramref name="failure"/> on every call.</summary>
    private sealed class MockedStorageApp : IDisposable
    {
        public static readonly (string Method, string Path)[] PageButtons =
        [
            ("POST", "deadletters/0123456789abcdef0123456789abcdef/replay"),
            ("POST", "deadletters/0123456789abcdef0123456789abcdef/discard"),
            ("POST", "deadletters/replay"),
        ];

        private readonly IHost _host;

        public MockedStorageApp(Exception failure)
        {
            var table = new Mock<TableClient>();
            table.Setup(t => t.QueryAsync<TableEntity>(It.IsAny<string>(), It.IsAny<int?>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
                .Returns(new FailingPages(failure));
            table.Setup(t => t.GetEntityIfExistsAsync<TableEntity>(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
                .ThrowsAsync(failure);
            var tables = new Mock<TableServiceClient>();
            tables.Setup(t => t.GetTableClient(It.IsAny<string>())).Returns(table.Object);

            var queue = new Mock<QueueClient>();
            queue.Setup(q => q.GetPropertiesAsync(It.IsAny<CancellationToken>())).ThrowsAsync(failure);
            queue.Setup(q => q.PeekMessagesAsync(It.IsAny<int?>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);
            queue.Setup(q => q.SendMessageAsync(It.IsAny<BinaryData>(), It.IsAny<TimeSpan?>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);
            var queues = new Mock<QueueServiceClient>();
            queues.Setup(q => q.GetQueueClient(It.IsAny<string>())).Returns(queue.Object);

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Development" });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
                ["PayExCallbackQueue"] = "payex-callbacks",
                ["PayEx:BaseUrl"] = "https://api.externalintegration.payex.com",
                ["PayEx:Token"] = "a-payex-token-for-the-test",
            });
            typeof(PayExCallbackFunctions.Telemetry.TelemetryServices).Assembly.GetType("Program")!.GetMethod("AddFeatures")!.Invoke(null, [builder]);
            builder.Services.AddSingleton(tables.Object);
            builder.Services.AddSingleton(queues.Object);
            _host = builder.Build();
        }

        /// <summary>Each admin function's work, as its function calls it.</summary>
        public IEnumerable<(string Name, Func<CancellationToken, Task<IResult>> Call)> AdminCalls()
        {
            var admin = _host.Services.GetRequiredService<DeadLetterAdmin>();
            const string Id = "0123456789abcdef0123456789abcdef";
            yield return ("list", ct => admin.ListAsync(new QueryCollection(), ct));
            yield return ("get", ct => admin.GetAsync(Id, ct));
            yield return ("discard", ct => admin.DiscardAsync(Id, null, ct));
            yield return ("replay", ct => admin.ReplayAsync(Id, ct));
            yield return ("replay all", ct => admin.ReplayAllAsync(ct));
        }

        public async Task<Answer> PageAsync(string method, string rest, CancellationToken cancellationToken)
        {
            var context = Context();
            context.Request.Method = method;
            context.Request.QueryString = new QueryString($"?code={Key}");
            var result = await _host.Services.GetRequiredService<StatusPageRequests>().HandleAsync(context.Request, rest, cancellationToken);
            return await ExecuteAsync(result, context);
        }

        public Task<Answer> ExecuteAsync(IResult result) => ExecuteAsync(result, Context());

        private static async Task<Answer> ExecuteAsync(IResult result, HttpContext context)
        {
            await result.ExecuteAsync(context);
            var body = (MemoryStream)context.Response.Body;
            return new Answer(context.Response.StatusCode, context.Response.ContentType ?? "", context.Response.Headers.RetryAfter.ToString(), System.Text.Encoding.UTF8.GetString(body.ToArray()));
        }

        private DefaultHttpContext Context() => new() { RequestServices = _host.Services, Response = { Body = new MemoryStream() } };

        public void Dispose() => _host.Dispose();
    }

    private sealed record Answer(int Status, string ContentType, string RetryAfter, string Body);

    /// <summary>A query whose first page fails, as the table client's does when storage fails.</summary>
    private sealed class FailingPages(Exception failure) : AsyncPageable<TableEntity>
    {
        public override async IAsyncEnumerable<Page<TableEntity>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
        {
            await Task.Yield();
            throw failure;
#pragma warning disable CS0162 // The iterator needs a yield to be one.
            yield break;
#pragma warning restore CS0162
        }
    }
}
