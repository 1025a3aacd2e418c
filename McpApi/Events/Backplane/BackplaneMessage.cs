using System.Text.Json;
using System.Text.Json.Serialization;
using McpApi.Envelopes;

namespace McpApi.Events.Backplane;

/// <summary>
/// An event on the wire between replicas: the publishing replica's id (so it ignores its own), then the event with its
/// data serialized as the doors would serialize it. Receivers hand the data on as a <see cref="JsonElement"/>, which the
/// doors write out unchanged.
/// </summary>
internal sealed record BackplaneMessage(
    [property: JsonPropertyName("o")] string Origin,
    [property: JsonPropertyName("t")] string Type,
    [property: JsonPropertyName("p")] string Topic,
    [property: JsonPropertyName("c")] long? Cursor,
    [property: JsonPropertyName("a")] DateTimeOffset At,
    [property: JsonPropertyName("d")] JsonElement Data)
{
    public static string Write(string origin, ModelEvent modelEvent) => JsonSerializer.Serialize(
        new BackplaneMessage(origin, modelEvent.Type, modelEvent.Topic, modelEvent.Cursor, modelEvent.At,
            JsonSerializer.SerializeToElement(modelEvent.Data, EnvelopeJson.Options)));

    public static BackplaneMessage? Read(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<BackplaneMessage>(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public ModelEvent ToEvent() => new(Type, Topic, Data.ValueKind == JsonValueKind.Null ? null : Data, Cursor) { At = At };
}
