using Azure.Core;
using Azure.Core.Pipeline;

namespace PayExCallbackFunctions.Tests.Events;

/// <summary>
/// A race on a table client's pipeline, each run once: <see cref="Before"/> before the next entity group transaction is
/// sent; <see cref="BeforeRead"/> before the next read of the table it names; <see cref="BeforeMerge"/> before the next
/// merge of an entity.
/// </summary>
internal sealed class TableRace : HttpPipelinePolicy
{
    public Func<Task>? Before { get; set; }

    public (string Table, Func<Task> Run)? BeforeRead { get; set; }

    public Func<Task>? BeforeMerge { get; set; }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("The app's table calls are asynchronous.");

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var path = message.Request.Uri.Path;
        if (path.EndsWith("$batch", StringComparison.Ordinal) && Before is { } before)
        {
            Before = null;
            await before();
        }

        if (message.Request.Method == RequestMethod.Get && BeforeRead is { } read && path.Contains($"/{read.Table}(", StringComparison.Ordinal))
        {
            BeforeRead = null;
            await read.Run();
        }

        if (message.Request.Method == RequestMethod.Patch && BeforeMerge is { } merge)
        {
            BeforeMerge = null;
            await merge();
        }

        await ProcessNextAsync(message, pipeline);
    }
}
