using System.Text.Json.Nodes;
using McpApi.Dispatching;
using McpApi.Doors.Http;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace McpApi.OpenApi;

/// <summary>
/// Adds named request examples to <c>POST /mcp</c> — one per model and action, taken from the registry —
/// and an example error envelope to each error status.
/// </summary>
internal sealed class EnvelopeExamplesFilter(ModelRegistry registry) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<EnvelopeEndpointMetadata>().Any())
            return;

        if (operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
        {
            body.Examples = RequestExamples();
        }

        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (ErrorExamples.TryGetValue(status, out var example) && response.Content?.TryGetValue("application/json", out var media) == true)
            {
                media.Example = JsonNode.Parse(example);
                if (response is OpenApiResponse concrete)
                    concrete.Description = ErrorDescriptions[status];
            }
        }
    }

    private Dictionary<string, IOpenApiExample> RequestExamples()
    {
        var examples = new Dictionary<string, IOpenApiExample>
        {
            ["seed-chat"] = new OpenApiExample
            {
                Summary = "The seed's chat message",
                Value = JsonNode.Parse("""{"model":"chat","context":"user","data":"Hello, world!"}"""),
            },
            ["seed-echo"] = new OpenApiExample
            {
                Summary = "The seed's request shape (no model: echoed back)",
                Value = JsonNode.Parse("""{"action":"test","parameters":{"key1":"value1","key2":"value2"}}"""),
            },
        };
        foreach (var model in registry.Models)
        {
            foreach (var action in model.Actions)
            {
                examples[$"{model.Name}-{action.Name}"] = new OpenApiExample
                {
                    Summary = $"{model.Name} / {action.Name}",
                    Description = action.Action.Description,
                    Value = action.Action.ExampleEnvelope(model.Name),
                };
            }
        }
        if (!registry.TryGet("chat", out _))
            examples.Remove("seed-chat");
        return examples;
    }

    private static readonly Dictionary<string, string> ErrorDescriptions = new()
    {
        ["400"] = "Malformed JSON, a body that is not an object, or envelope fields of the wrong type",
        ["403"] = "The caller may not do this (e.g. not a player in this game)",
        ["404"] = "Unknown model or action, or the item named does not exist",
        ["409"] = "Conflict with the current state (version mismatch, not your turn, ...)",
        ["413"] = "Body over McpApi:MaxRequestBytes, or a value over a model's size limit",
        ["415"] = "Content-Type is not application/json",
        ["422"] = "data does not fit the action's JSON Schema or rules; data.errors lists each field",
        ["500"] = "Unexpected server failure; quote data.traceId",
        ["503"] = "The database cannot be used right now (locked by another process, read-only, disk full); retry later",
    };

    private static readonly Dictionary<string, string> ErrorExamples = new()
    {
        ["400"] = """{"status":"error","message":"The request body is not valid JSON at line 1, position 12. Check quotes, commas and brackets.","data":{"code":"malformed_json","traceId":"0HN7:00000001"}}""",
        ["403"] = """{"status":"error","message":"You are not a player in game g1.","data":{"code":"not_a_player","traceId":"0HN7:00000001"}}""",
        ["404"] = """{"status":"error","message":"Unknown model 'nope'. Known models: echo. GET /mcp/models describes them.","data":{"code":"unknown_model","traceId":"0HN7:00000001","models":["echo"]}}""",
        ["409"] = """{"status":"error","message":"Version mismatch.","data":{"code":"version_conflict","traceId":"0HN7:00000001"}}""",
        ["413"] = """{"status":"error","message":"The request body is larger than the 1048576 byte limit (setting McpApi:MaxRequestBytes). Send less data per envelope.","data":{"code":"payload_too_large","traceId":"0HN7:00000001"}}""",
        ["415"] = """{"status":"error","message":"Content-Type 'text/plain' is not supported. Send the envelope as JSON with 'Content-Type: application/json' (curl: -H 'Content-Type: application/json').","data":{"code":"unsupported_media_type","traceId":"0HN7:00000001"}}""",
        ["422"] = """{"status":"error","message":"The data does not fit chat.send: data: Value is \"number\" but should be \"string\".","data":{"code":"validation_failed","errors":{"data":["Value is \"number\" but should be \"string\""]},"traceId":"0HN7:00000001"}}""",
        ["500"] = """{"status":"error","message":"The server failed to process the request. It has been logged; quote trace id 0HN7:00000001 when reporting it.","data":{"code":"internal_error","traceId":"0HN7:00000001"}}""",
        ["503"] = """{"status":"error","message":"The database is locked by another process and stayed locked for longer than Storage:BusyTimeoutMilliseconds; nothing was written. Retry shortly. The server is running but cannot use its database right now; quote trace id 0HN7:00000001 when reporting it.","data":{"code":"storage_unavailable","traceId":"0HN7:00000001"}}""",
    };
}
