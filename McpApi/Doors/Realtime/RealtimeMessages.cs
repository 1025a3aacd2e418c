using System.Text.Json;
using System.Text.Json.Serialization;
using McpApi.Envelopes;
using McpApi.Events;

namespace McpApi.Doors.Realtime;

/// <summary>
/// A reply on a WebSocket or TCP connection: the usual <c>{status, message, data}</c> plus the request's
/// <c>id</c> when it had one, so a client can match replies to requests.
/// </summary>
public sealed record SessionReply(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Id,
    string Status,
    string Message,
    object? Data)
{
    public static SessionReply From(EnvelopeResponse response, JsonElement? id) => new(id, response.Status, response.Message, response.Data);
}

/// <summary>
/// A pushed event: <c>{"status":"event","message":"chat.message","topic":"chat:lobby","cursor":12,"at":...,"data":{...}}</c>.
/// <c>message</c> is the event type, <c>data</c> is the changed item exactly as the model's actions return it,
/// <c>cursor</c> (when the model keeps history) is its position for replay.
/// </summary>
public sealed record EventMessage(
    string Status,
    string Message,
    string Topic,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Cursor,
    DateTimeOffset At,
    object? Data)
{
    public const string EventStatus = "event";

    public static EventMessage From(ModelEvent e) => new(EventStatus, e.Type, e.Topic, e.Cursor, e.At, e.Data);
}

public static class RealtimeJson
{
    public static byte[] Serialize(SessionReply reply) => JsonSerializer.SerializeToUtf8Bytes(reply, EnvelopeJson.Options);

    public static byte[] Serialize(ModelEvent modelEvent) => JsonSerializer.SerializeToUtf8Bytes(EventMessage.From(modelEvent), EnvelopeJson.Options);

    /// <summary>
    /// The event as every real-time door sends it (a WebSocket text message, a TCP line before its newline, an SSE
    /// event's data), serialized once per event and shared by all its subscribers.
    /// </summary>
    public static byte[] Encoded(ModelEvent modelEvent) => modelEvent.EncodedAs(Message);

    private static readonly EventEncoding Message = new("event message", Serialize);

    public static string ToText(EnvelopeResponse response) => JsonSerializer.Serialize(response, EnvelopeJson.Options);
}
