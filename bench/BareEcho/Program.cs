using System.Text.Json;

// Baseline: parse the body, echo it in the McpApi envelope shape, no logging, no validation.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

app.MapPost("/mcp", async (HttpRequest request) =>
{
    using var document = await JsonDocument.ParseAsync(request.Body);
    return Results.Json(new EchoEnvelope("success", "MCP request processed successfully", new EchoData(document.RootElement.Clone())));
});

app.Run();

internal sealed record EchoEnvelope(string Status, string Message, EchoData Data);

internal sealed record EchoData(JsonElement Echo);
