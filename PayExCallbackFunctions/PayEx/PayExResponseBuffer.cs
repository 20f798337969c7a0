namespace PayExCallbackFunctions.PayEx;

/// <summary>
/// Reads each PayEx answer whole, body included, inside the resilience handler, so that the attempt's
/// timeout covers the body too: an answer whose body stalls or trickles after its headers is a timed-out
/// attempt, retried like any other, not a read without a deadline. Bounds the body at <see cref="PayExClient.MaxResponseBytes"/>.
/// </summary>
public sealed class PayExResponseBuffer : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            var body = await ReadBoundedAsync(response.Content, request, cancellationToken);
            var buffered = new ByteArrayContent(body);
            foreach (var header in response.Content.Headers)
            {
                buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content.Dispose();
            response.Content = buffered;
            return response;
        }
        catch (IOException e)
        {
            response.Dispose();
            // An HttpRequestException is what the resilience handler retries.
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "The answer broke off while it was read.", e);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    // Content-Length can be absent (chunked, or removed by decompression): count what is read.
    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > PayExClient.MaxResponseBytes)
        {
            throw new PayExResourceException($"GET {request.RequestUri?.AbsolutePath} answered with {content.Headers.ContentLength} bytes, more than {PayExClient.MaxResponseBytes}.");
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > PayExClient.MaxResponseBytes)
            {
                throw new PayExResourceException($"GET {request.RequestUri?.AbsolutePath} answered with more than {PayExClient.MaxResponseBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
