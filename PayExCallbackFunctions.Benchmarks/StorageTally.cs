using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using PayExCallbackFunctions.Tests.Infrastructure;

namespace PayExCallbackFunctions.Benchmarks;

/// <summary>
/// A counting proxy in front of Azurite's queue and table endpoints: each request is forwarded as it came
/// (Shared Key signs the path and headers, not the host) and counted by what it does. Only for an untimed
/// pass: forwarding costs CPU on the same cores, more for an app that makes more requests.
/// </summary>
public sealed class StorageTally : IAsyncDisposable
{
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase) { "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Expect" };

    private readonly WebApplication _proxy;
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None });
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly Azurite _azurite;
    private readonly int _queuePort = FreePort.Next();
    private readonly int _tablePort = FreePort.Next();

    private StorageTally(Azurite azurite)
    {
        _azurite = azurite;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, _queuePort);
            k.Listen(IPAddress.Loopback, _tablePort);
        });
        _proxy = builder.Build();
        _proxy.Run(ForwardAsync);
    }

    /// <summary>Azurite's connection string with the queue and table endpoints through the proxy (blobs, the host's locks, direct).</summary>
    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        $"AccountKey={Azurite.AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{_azurite.BlobPort}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{_queuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{_tablePort}/devstoreaccount1;";

    public static async Task<StorageTally> StartAsync(Azurite azurite)
    {
        var tally = new StorageTally(azurite);
        await tally._proxy.StartAsync();
        return tally;
    }

    /// <summary>The requests counted since the last call, by kind (e.g. "table point read", "queue delete"), and starts again.</summary>
    public Dictionary<string, int> Take()
    {
        var taken = new Dictionary<string, int>();
        foreach (var key in _counts.Keys)
        {
            if (_counts.TryRemove(key, out var count))
            {
                taken[key] = count;
            }
        }

        return taken;
    }

    public int Count(string kind) => _counts.GetValueOrDefault(kind);

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        var isQueue = context.Connection.LocalPort == _queuePort;
        var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), $"http://127.0.0.1:{(isQueue ? _azurite.QueuePort : _azurite.TablePort)}{target}");
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        if (body.Length > 0 || request.ContentLength is not null || request.ContentType is not null)
        {
            forward.Content = new ByteArrayContent(body.ToArray());
        }

        foreach (var (name, values) in request.Headers)
        {
            if (HopHeaders.Contains(name))
            {
                continue;
            }

            if (!forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                forward.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var response = await _http.SendAsync(forward, context.RequestAborted);
        var answer = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
        var kind = isQueue ? QueueKind(request.Method, request.Path, request.QueryString.Value) : TableKind(request.Method, request.Path, request.QueryString.Value);
        var status = (int)response.StatusCode;
        if (kind == "table transaction" && status == 202)
        {
            // A transaction answers 202 and says inside which change failed, and how.
            var text = Encoding.ASCII.GetString(answer);
            var inner = text.IndexOf("HTTP/1.1 4", StringComparison.Ordinal);
            status = inner >= 0 && int.TryParse(text.AsSpan(inner + 9, 3), out var failed) ? failed : status;
        }

        // Not found, conflict, precondition failed: counted apart, a request all the same.
        _counts.AddOrUpdate(status >= 400 ? $"{kind} ({status})" : kind, 1, (_, n) => n + 1);

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopHeaders.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        if (answer.Length > 0 && context.Response.StatusCode is not (204 or 304))
        {
            await context.Response.Body.WriteAsync(answer, context.RequestAborted);
        }
    }

    // Paths: /devstoreaccount1/{queue}/messages[/{id}]; /devstoreaccount1/{table}(PartitionKey='..',RowKey='..'); /devstoreaccount1/$batch.
    private static string QueueKind(string method, PathString path, string? query)
    {
        var messages = path.Value?.Contains("/messages", StringComparison.Ordinal) == true;
        return (method, messages) switch
        {
            ("GET", true) when query?.Contains("peekonly=true", StringComparison.OrdinalIgnoreCase) == true => "queue peek",
            ("GET", true) => "queue receive",
            ("POST", true) => "queue send",
            ("DELETE", true) => "queue delete",
            ("PUT", true) => "queue update",
            _ => "queue other",
        };
    }

    private static string TableKind(string method, PathString path, string? query)
    {
        var value = path.Value ?? "";
        var entity = value.Contains("PartitionKey=", StringComparison.Ordinal) || value.Contains("PartitionKey%3D", StringComparison.OrdinalIgnoreCase);
        return method switch
        {
            "POST" when value.EndsWith("/$batch", StringComparison.Ordinal) => "table transaction",
            "POST" when value.EndsWith("/Tables", StringComparison.Ordinal) => "table create",
            "POST" => "table insert",
            "GET" when entity => "table point read",
            "GET" when value.Contains("/Tables", StringComparison.Ordinal) => "table other",
            "GET" => "table query",
            "PUT" or "MERGE" or "PATCH" when entity => "table update",
            "DELETE" when entity => "table delete",
            _ => "table other",
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.StopAsync();
        await _proxy.DisposeAsync();
        _http.Dispose();
    }
}
