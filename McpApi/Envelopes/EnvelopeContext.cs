using System.Text.Json;

namespace McpApi.Envelopes;

/// <summary>
/// The envelope's <c>context</c> as sent: a plain string (<c>"user"</c>) or an object
/// (<c>{"user":"ana","room":"lobby"}</c>). The dispatcher reads it into each action's typed context.
/// </summary>
public sealed class EnvelopeContext
{
    public static readonly EnvelopeContext None = new(default);

    private EnvelopeContext(JsonElement raw) => Raw = raw;

    /// <summary>The context exactly as sent (<see cref="JsonValueKind.Undefined"/> when absent or null).</summary>
    public JsonElement Raw { get; }

    public static EnvelopeContext From(JsonElement raw) =>
        raw.ValueKind is JsonValueKind.String or JsonValueKind.Object ? new EnvelopeContext(raw) : None;

    public override string ToString() => Raw.ValueKind == JsonValueKind.Undefined ? "" : Raw.GetRawText();
}
