using System.Buffers;

namespace PayExCallbackFunctions.Callbacks;

/// <summary>A request body as read: whole, or cut off (<see cref="TooLarge"/>) once it passed the limit.</summary>
public readonly record struct CallbackBody(ReadOnlyMemory<byte> Bytes, bool TooLarge, long Length)
{
    /// <summary>Reads at most <paramref name="limit"/> bytes; a larger body is read only as far as a rejection record keeps.</summary>
    public static async Task<CallbackBody> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var declaredTooLarge = request.ContentLength > limit;
        var stopAt = declaredTooLarge ? Math.Min(limit, RejectedCallback.MaxBodyBytes) : limit + 1;
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var length ? (int)Math.Min(length, stopAt) : 1024);
        while (buffer.WrittenCount < stopAt)
        {
            var memory = buffer.GetMemory(Math.Min(4096, stopAt - buffer.WrittenCount));
            var read = await request.Body.ReadAsync(memory[..Math.Min(memory.Length, stopAt - buffer.WrittenCount)], cancellationToken);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
        }

        var tooLarge = declaredTooLarge || buffer.WrittenCount > limit;
        return new CallbackBody(buffer.WrittenMemory, tooLarge, request.ContentLength ?? buffer.WrittenCount);
    }
}
