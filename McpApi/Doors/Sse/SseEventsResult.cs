using System.Buffers;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Reflection;
using System.Text;
using McpApi.Events;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace McpApi.Doors.Sse;

/// <summary>
/// What an event stream writes next: an <see cref="Item"/> (the ready, keep-alive and closed events, replayed
/// history), or an event's <see cref="Shared"/> SSE block (<see cref="SseEventBlock"/>). With <see cref="Cursors"/> only the
/// block's head is shared and the stream's own id follows; the cursors are read when the chunk is written, which is
/// before the stream makes its next chunk.
/// </summary>
internal readonly record struct SseChunk(SseItem<byte[]> Item, byte[]? Shared = null, ModelEvent? Event = null, SortedList<string, long>? Cursors = null)
{
    public static implicit operator SseChunk(SseItem<byte[]> item) => new(item);
}

/// <summary>
/// Writes server-sent events as <c>TypedResults.ServerSentEvents</c> does (same headers, same <c>event:</c>, <c>data:</c>,
/// <c>id:</c>, <c>retry:</c> fields), with two differences for fan-out: each event's block is bytes already encoded
/// (an event encoded once for all its subscribers, <see cref="SseEventBlock"/>), and the response is flushed only when no further item is
/// ready, so events queued together reach the socket in one write.
/// </summary>
internal sealed class SseEventsResult(IAsyncEnumerable<SseChunk> events) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    /// <summary>Most items written before a flush even when more are ready, so a busy stream still goes out steadily.</summary>
    private const int MaxItemsPerFlush = 64;

    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers.ContentEncoding = "identity";
        httpContext.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();

        var body = response.BodyWriter;
        var aborted = httpContext.RequestAborted;
        await using var items = events.GetAsyncEnumerator(aborted);
        var unflushed = 0;
        while (true)
        {
            var next = items.MoveNextAsync();
            if (unflushed > 0 && (!next.IsCompleted || unflushed >= MaxItemsPerFlush))
            {
                await body.FlushAsync(aborted);
                unflushed = 0;
            }
            if (!await next)
                break;
            Write(body, items.Current);
            unflushed++;
        }
        await body.FlushAsync(aborted);
    }

    private static void Write(IBufferWriter<byte> body, SseChunk chunk)
    {
        if (chunk.Shared is not { } block)
            Write(body, chunk.Item);
        else if (chunk.Cursors is not { } cursors)
            WriteWhole(body, block);
        else
        {
            WriteWhole(body, SseEventBlock.Head(chunk.Event!, block));
            body.Write("id: "u8);
            LastEventId.Write(body, cursors);
            body.Write("\n\n"u8);
        }
    }

    /// <summary>
    /// Copies <paramref name="bytes"/> into one span asked for at its full size: <c>BuffersExtensions.Write</c> takes
    /// whatever span the response has left and goes on segment by segment, and each span of a chunked response takes
    /// Kestrel's output lock (seen in the fan-out profile as most of the SSE door's write time).
    /// </summary>
    private static void WriteWhole(IBufferWriter<byte> body, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(body.GetSpan(bytes.Length));
        body.Advance(bytes.Length);
    }

    /// <summary>One event; <paramref name="item"/>'s data is one line (compact JSON has no raw line breaks).</summary>
    internal static void Write(IBufferWriter<byte> body, SseItem<byte[]> item)
    {
        if (item.EventType is { } type)
            Field(body, "event: "u8, type);
        body.Write("data: "u8);
        body.Write(item.Data);
        body.Write("\n"u8);
        if (item.EventId is { } id)
            Field(body, "id: "u8, id);
        if (item.ReconnectionInterval is { } retry)
            Field(body, "retry: "u8, ((long)retry.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        body.Write("\n"u8);
    }

    private static void Field(IBufferWriter<byte> body, ReadOnlySpan<byte> name, string value)
    {
        body.Write(name);
        var span = body.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
        body.Advance(Encoding.UTF8.GetBytes(value, span));
        body.Write("\n"u8);
    }

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/event-stream"]));
}
