using System.Buffers.Binary;
using McpApi.Doors.Realtime;
using McpApi.Events;

namespace McpApi.Doors.WebSockets;

/// <summary>
/// An event as one WebSocket text frame (RFC 6455 §5.2: FIN, opcode 1, the payload length, no mask as a server sends
/// it, then the event message), encoded once per event and shared by every WebSocket subscriber. Uncompressed (RSV1
/// clear), so it is valid whatever extension was negotiated.
/// </summary>
internal static class WebSocketEventFrame
{
    private static readonly EventEncoding Frame = new("WebSocket text frame", Encode);

    public static byte[] Of(ModelEvent modelEvent) => modelEvent.EncodedAs(Frame);

    internal static byte[] Encode(ReadOnlySpan<byte> payload)
    {
        var header = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        var frame = new byte[header + payload.Length];
        frame[0] = 0x81; // FIN + text
        if (header == 2)
            frame[1] = (byte)payload.Length;
        else if (header == 4)
        {
            frame[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        }
        else
        {
            frame[1] = 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
        }
        payload.CopyTo(frame.AsSpan(header));
        return frame;
    }

    private static byte[] Encode(ModelEvent modelEvent) => Encode(RealtimeJson.Encoded(modelEvent));
}
