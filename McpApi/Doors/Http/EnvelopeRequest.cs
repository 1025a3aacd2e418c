using System.ComponentModel;
using System.Text.Json;

namespace McpApi.Doors.Http;

/// <summary>The request envelope as documented in OpenAPI (the server parses the raw JSON itself).</summary>
[Description("""
    One message to a model. Every field may be left out: no model is `echo`, no action is the model's default.
    Other top-level fields (e.g. the seed's `parameters`) are allowed: `echo` returns them, other models ignore them.
    """)]
public sealed record EnvelopeRequest(
    [property: Description("The model to call: echo, notes, chat, state or move (GET /mcp/models lists them). Absent: echo.")]
    string? Model,
    [property: Description("The model's operation, e.g. send or history for chat. Absent: the model's default action.")]
    string? Action,
    [property: Description("Who or where: a string (\"ana\", \"lobby\") or an object ({\"user\": \"ana\", \"room\": \"lobby\"}); each action's example shows which.")]
    JsonElement? Context,
    [property: Description("The payload, checked against the action's JSON Schema (dataSchema in GET /mcp/models).")]
    JsonElement? Data);
