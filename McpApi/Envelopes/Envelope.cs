using System.Buffers;
using System.Text.Json;

namespace McpApi.Envelopes;

/// <summary>
/// One parsed request, whatever door it came through: <c>model</c> picks the handler,
/// <c>action</c> its operation, <c>context</c> says who or where, <c>data</c> is the payload.
/// </summary>
/// <param name="Model">The handler's name.</param>
/// <param name="Action">The operation, or null for the model's default action.</param>
/// <param name="Context">The parsed context; its raw JSON is kept.</param>
/// <param name="Data">The payload; <see cref="JsonValueKind.Undefined"/> when absent.</param>
public sealed record Envelope(string Model, string? Action, EnvelopeContext Context, JsonElement Data)
{
    private JsonElement _raw;

    /// <param name="raw">The whole request object as received.</param>
    public Envelope(string model, string? action, EnvelopeContext context, JsonElement data, JsonElement raw)
        : this(model, action, context, data) => _raw = raw;

    /// <summary>
    /// The whole request object as received; for a request a door addressed itself (an MCP tool call), its parts as
    /// one object, written only when asked for.
    /// </summary>
    public JsonElement Raw => _raw.ValueKind != JsonValueKind.Undefined ? _raw : _raw = WriteParts();

    /// <summary>A client's correlation id (WebSocket/TCP doors echo it back).</summary>
    public JsonElement Id { get; init; }

    public bool HasData => Data.ValueKind is not JsonValueKind.Undefined;

    private JsonElement WriteParts()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("model", Model);
            if (Action is not null)
                writer.WriteString("action", Action);
            if (Context.Raw.ValueKind != JsonValueKind.Undefined)
            {
                writer.WritePropertyName("context");
                Context.Raw.WriteTo(writer);
            }
            if (HasData)
            {
                writer.WritePropertyName("data");
                Data.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return JsonElement.Parse(buffer.WrittenSpan);
    }
}
