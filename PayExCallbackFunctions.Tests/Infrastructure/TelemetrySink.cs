using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;

namespace PayExCallbackFunctions.Tests.Infrastructure;

/// <summary>
/// A telemetry collector on loopback, standing in for Application Insights' ingestion endpoint or
/// an OTLP/HTTP collector: it accepts every POST and keeps the path and the (decompressed) body.
/// </summary>
public sealed class TelemetrySink : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public TelemetrySink()
    {
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    public ConcurrentQueue<(string Path, string Body)> Received { get; } = new();

    /// <summary>Everything received on paths starting with <paramref name="path"/>, as text (protobuf strings are UTF-8 too).</summary>
    public string BodiesAt(string path) => string.Join('\n', Received.Where(r => r.Path.StartsWith(path, StringComparison.Ordinal)).Select(r => r.Body));

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            // The host and the worker both export, to two endpoints each: one slow answer must not hold up the rest
            // (an exporter whose request times out keeps that batch on disk for a later retry).
            _ = Task.Run(() => ReceiveAsync(context));
        }
    }

    private async Task ReceiveAsync(HttpListenerContext context)
    {
        try
        {
            Stream body = context.Request.InputStream;
            if (string.Equals(context.Request.Headers["Content-Encoding"], "gzip", StringComparison.OrdinalIgnoreCase))
            {
                body = new GZipStream(body, CompressionMode.Decompress);
            }

            using var reader = new StreamReader(body, Encoding.UTF8);
            Received.Enqueue((context.Request.Url!.AbsolutePath, await reader.ReadToEndAsync()));
            // What Application Insights answers; an OTLP/HTTP client only reads the status.
            var answer = Encoding.UTF8.GetBytes("""{"itemsReceived":0,"itemsAccepted":0,"errors":[]}""");
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(answer);
        }
        catch (Exception e) when (e is IOException or HttpListenerException or InvalidDataException)
        {
        }
        finally
        {
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {

        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
