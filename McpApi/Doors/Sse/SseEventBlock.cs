using System.Buffers;
using System.Text;
using McpApi.Doors.Realtime;
using McpApi.Events;

namespace McpApi.Doors.Sse;

/// <summary>
/// An event as one SSE block, encoded once per event and shared by every stream that sends it:
/// <c>event: chat.message</c>, <c>data: {the event message}</c>, and for an event with a cursor
/// <c>id: chat:lobby=12</c>, then the blank line. The id is right for a stream whose only cursor is the event's topic
/// (a stream of one topic); a stream holding cursors of other topics too sends the block's <see cref="Head"/> and
/// writes its own id.
/// </summary>
internal static class SseEventBlock
{
    private static readonly EventEncoding Block = new("SSE event", Encode);

    /// <summary>The whole block, shared.</summary>
    public static byte[] Of(ModelEvent modelEvent) => modelEvent.EncodedAs(Block);

    /// <summary>The <c>event:</c> and <c>data:</c> lines at the start of <paramref name="block"/>, without the id and the blank line.</summary>
    public static ReadOnlySpan<byte> Head(ModelEvent modelEvent, byte[] block) =>
        block.AsSpan(0, "event: "u8.Length + Encoding.UTF8.GetByteCount(modelEvent.Type) + "\ndata: "u8.Length + RealtimeJson.Encoded(modelEvent).Length + 1);

    private static byte[] Encode(ModelEvent modelEvent)
    {
        var block = new ArrayBufferWriter<byte>(RealtimeJson.Encoded(modelEvent).Length + 64);
        SseEventsResult.Write(block, new System.Net.ServerSentEvents.SseItem<byte[]>(RealtimeJson.Encoded(modelEvent), modelEvent.Type)
        {
            EventId = modelEvent.Cursor is { } cursor ? LastEventId.Format(new SortedList<string, long>(StringComparer.Ordinal) { [modelEvent.Topic] = cursor }) : null,
        });
        return block.WrittenSpan.ToArray();
    }
}
