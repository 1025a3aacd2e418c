using System.Text.Json;

namespace McpApi.Doors.Http;

/// <summary>The request envelope as documented in OpenAPI (the server parses the raw JSON itself).</summary>
/// <param name="Model">The model to call, e.g. <c>echo</c>, <c>chat</c>. Absent: <c>echo</c>.</param>
/// <param name="Action">The model's operation. Absent: the model's default action.</param>
/// <param name="Context">Who or where: a string (<c>"user"</c>) or an object (<c>{"user":"ana","room":"lobby"}</c>).</param>
/// <param name="Data">The payload, checked against the action's JSON Schema.</param>
public sealed record EnvelopeRequest(string? Model, string? Action, JsonElement? Context, JsonElement? Data);
