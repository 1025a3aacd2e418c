using System.Text.Json;

namespace McpApi.Envelopes;

/// <summary>
/// The envelope's <c>context</c>, parsed once: a plain string (<c>"user"</c>) or an object
/// (<c>{"user":"ana","room":"lobby"}</c>). Handlers ask for the key they care about and fall back to the text.
/// </summary>
public sealed class EnvelopeContext
{
    public static readonly EnvelopeContext None = new(default);

    private EnvelopeContext(JsonElement raw) => Raw = raw;

    /// <summary>The context exactly as sent (<see cref="JsonValueKind.Undefined"/> when absent).</summary>
    public JsonElement Raw { get; }

    /// <summary>The context when it is a plain string.</summary>
    public string? Text => Raw.ValueKind == JsonValueKind.String ? Raw.GetString() : null;

    public bool IsObject => Raw.ValueKind == JsonValueKind.Object;

    /// <summary>
    /// The value of <paramref name="key"/> when the context is an object (strings and numbers as text),
    /// otherwise null.
    /// </summary>
    public string? Get(string key)
    {
        if (!IsObject || !Raw.TryGetProperty(key, out var value))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }

    /// <summary>The object's <paramref name="key"/>, or the plain string when the context is one.</summary>
    public string? GetOrText(string key) => IsObject ? Get(key) : Text;

    public static EnvelopeContext From(JsonElement raw) =>
        raw.ValueKind is JsonValueKind.String or JsonValueKind.Object ? new EnvelopeContext(raw) : None;

    public override string ToString() => Raw.ValueKind == JsonValueKind.Undefined ? "" : Raw.GetRawText();
}
