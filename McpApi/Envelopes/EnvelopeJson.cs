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
