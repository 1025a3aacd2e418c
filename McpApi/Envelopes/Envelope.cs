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
/// <param name="Raw">The whole request object as received.</param>
public sealed record Envelope(string Model, string? Action, EnvelopeContext Context, JsonElement Data, JsonElement Raw)
{
    /// <summary>A client's correlation id (WebSocket/TCP doors echo it back).</summary>
    public JsonElement Id { get; init; }

    public bool HasData => Data.ValueKind is not JsonValueKind.Undefined;
}
