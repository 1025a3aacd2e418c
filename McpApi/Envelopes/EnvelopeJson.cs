using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace McpApi.Envelopes;

/// <summary>
/// The JSON settings every door writes with: camelCase, source-generated where the types are known,
/// timestamps as <see cref="UtcTimestamps"/>.
/// </summary>
public static class EnvelopeJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = JsonTypeInfoResolver.Combine(EnvelopeJsonContext.Default, new DefaultJsonTypeInfoResolver()),
            Converters = { new UtcTimestamps.DateTimeConverter(), new UtcTimestamps.DateTimeOffsetConverter() },
        };
        options.MakeReadOnly();
        return options;
    }

    public static JsonTypeInfo<EnvelopeResponse> Response => (JsonTypeInfo<EnvelopeResponse>)Options.GetTypeInfo(typeof(EnvelopeResponse));

    private static readonly JsonEncodedText StatusName = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText MessageName = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText DataName = JsonEncodedText.Encode("data");

    /// <summary>
    /// Writes a response envelope as <see cref="Response"/> would, with <c>data</c> serialized as its own root value:
    /// the serializer then keeps no stack of nested frames for it (one array per answer otherwise). Flushes the writer, as the
    /// serializer does.
    /// </summary>
    public static void WriteResponse(Utf8JsonWriter writer, EnvelopeResponse response)
    {
        writer.WriteStartObject();
        writer.WriteString(StatusName, response.Status);
        writer.WriteString(MessageName, response.Message);
        writer.WritePropertyName(DataName);
        if (response.Data is { } data)
            JsonSerializer.Serialize(writer, data, Options.GetTypeInfo(data.GetType()));
        else
            writer.WriteNullValue();
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>Serializes any handler result to a JSON element (for MCP structured content and events).</summary>
    public static JsonElement ToElement(object? value) => JsonSerializer.SerializeToElement(value, Options);

    public static JsonNode? ToNode(object? value) => JsonSerializer.SerializeToNode(value, Options);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EnvelopeResponse))]
[JsonSerializable(typeof(ErrorDetails))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
internal sealed partial class EnvelopeJsonContext : JsonSerializerContext;
