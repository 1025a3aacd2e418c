using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpApi.Storage;

/// <summary>
/// A JSON value as the UTF-8 text it was stored as: a read hands it on without parsing it, and answers write it as it
/// is (<see cref="Utf8JsonWriter.WriteRawValue(ReadOnlySpan{byte}, bool)"/>). Only text McpApi serialized itself is
/// stored, so it is valid JSON. Its schema is any JSON value, as a <see cref="JsonElement"/>'s.
/// </summary>
[JsonConverter(typeof(Converter))]
public sealed class StoredJson
{
    private readonly byte[] _utf8;

    private StoredJson(byte[] utf8)
    {
        _utf8 = utf8;
    }

    /// <summary>The stored text's UTF-8 bytes.</summary>
    public ReadOnlySpan<byte> Utf8 => _utf8;

    /// <summary>Takes ownership of <paramref name="utf8"/> (the column's bytes as read).</summary>
    public static StoredJson FromUtf8(byte[] utf8) => new(utf8);

    public static StoredJson FromText(string json) => new(Encoding.UTF8.GetBytes(json));

    /// <summary>Parses the value (for code that needs to look inside it; answers do not).</summary>
    public JsonElement ToElement()
    {
        using var document = JsonDocument.Parse(_utf8);
        return document.RootElement.Clone();
    }

    public override string ToString() => Encoding.UTF8.GetString(_utf8);

    private sealed class Converter : JsonConverter<StoredJson>
    {
        public override StoredJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return FromText(document.RootElement.GetRawText());
        }

        public override void Write(Utf8JsonWriter writer, StoredJson value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value._utf8, skipInputValidation: true);
    }
}
