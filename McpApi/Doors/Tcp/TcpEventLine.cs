using McpApi.Doors.Realtime;
using McpApi.Events;

namespace McpApi.Doors.Tcp;

/// <summary>An event as one TCP line (the event message and its newline), encoded once per event and shared by every TCP subscriber.</summary>
internal static class TcpEventLine
{
    private static readonly EventEncoding Line = new("TCP line", Encode);

    public static byte[] Of(ModelEvent modelEvent) => modelEvent.EncodedAs(Line);

    private static byte[] Encode(ModelEvent modelEvent) => [.. RealtimeJson.Encoded(modelEvent), (byte)'\n'];
}
