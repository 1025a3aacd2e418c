namespace McpApi.Doors.Realtime;

/// <summary>The <c>data.code</c> values only the real-time doors send (the shared ones are in <c>ErrorCodes</c>).</summary>
public static class RealtimeErrorCodes
{
    public const string InvalidTopic = "invalid_topic";
    public const string TooManyTopics = "too_many_topics";
    public const string EventQueueOverflow = "event_queue_overflow";
    public const string ServerStopping = "server_stopping";
    public const string UnsupportedFrame = "unsupported_frame";
    public const string WebSocketRequired = "websocket_required";
    public const string InvalidLastEventId = "invalid_last_event_id";
}
