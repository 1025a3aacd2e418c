using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using McpApi.Dispatching;
using McpApi.Envelopes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpApi.Doors.Mcp;

/// <summary>
/// Every action of every registered model as an MCP tool named <c>model_action</c> (<c>chat_send</c>, <c>state_set</c>, ...).
/// Description, input schema and annotations come from the action's one declaration; calls go through the dispatcher.
/// </summary>
public static class ModelTools
{
    public static IEnumerable<McpServerTool> From(ModelRegistry registry, Dispatcher dispatcher, McpCallers callers) =>
        registry.Models.SelectMany(model => model.Actions.Select(action => (McpServerTool)new ModelTool(action, dispatcher, callers)));

    public static string ToolName(RegisteredAction action) => $"{action.Model}_{action.Name}".ToLowerInvariant();

    /// <summary>The response envelope every generated tool returns as <c>structuredContent</c>.</summary>
    internal static readonly JsonElement OutputSchema = JsonElement.Parse("""
        {
          "type": "object",
          "description": "The McpApi response envelope.",
          "properties": {
            "status": { "enum": ["success", "error"] },
            "message": { "type": "string", "description": "What happened; for errors, what was wrong and how to fix it." },
            "data": { "description": "The action's result, or {code, errors?, traceId} for errors." }
          },
          "required": ["status", "message"]
        }
        """);

    /// <summary>
    /// <c>{context?, data}</c>: <c>data</c> is the action's own schema (its <c>$defs</c> moved to the root so
    /// <c>#/$defs/...</c> references still resolve); it is required when the schema rejects a missing value.
    /// </summary>
    internal static JsonElement InputSchema(RegisteredAction action)
    {
        var data = (JsonObject)action.DataSchema.DeepClone();
        data.Remove("$schema");
        data.Remove("$id");
        var defs = data["$defs"];
        data.Remove("$defs");
        if (action.Action.ExampleDataJson is { } exampleData && !data.ContainsKey("examples"))
            data["examples"] = new JsonArray(exampleData.DeepClone());

        var context = (JsonObject)action.ContextSchema.DeepClone();
        if (action.Action.ExampleContextJson is { } exampleContext)
            context["examples"] = new JsonArray(exampleContext.DeepClone());

        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["type"] = "object",
            ["properties"] = new JsonObject { ["context"] = context, ["data"] = data },
            ["additionalProperties"] = false,
        };
        if (defs is not null)
            schema["$defs"] = defs.DeepClone();
        if (!action.AcceptsAnything && !action.Schema.Evaluate(JsonDocument.Parse("null").RootElement, new EvaluationOptions()).IsValid)
            schema["required"] = new JsonArray("data");
        return JsonSerializer.SerializeToElement(schema, EnvelopeJson.Options);
    }
}

/// <summary>One model action as an MCP tool.</summary>
internal sealed class ModelTool : McpServerTool
{
    private readonly RegisteredAction _action;
    private readonly Dispatcher _dispatcher;
    private readonly McpCallers _callers;

    public ModelTool(RegisteredAction action, Dispatcher dispatcher, McpCallers callers)
    {
        _action = action;
        _dispatcher = dispatcher;
        _callers = callers;
        var declared = action.Action;
        ProtocolTool = new Tool
        {
            Name = ModelTools.ToolName(action),
            Title = $"{action.Model} {action.Name}",
            Description = declared.Description,
            InputSchema = ModelTools.InputSchema(action),
            OutputSchema = ModelTools.OutputSchema,
            Annotations = new ToolAnnotations
            {
                Title = $"{action.Model} {action.Name}",
                ReadOnlyHint = declared.ReadOnly,
                DestructiveHint = !declared.ReadOnly && declared.Destructive,
                IdempotentHint = declared.ReadOnly || declared.Idempotent,
                OpenWorldHint = false,
            },
        };
    }

    public override Tool ProtocolTool { get; }

    public override IReadOnlyList<object> Metadata { get; } = [];

    public override async ValueTask<CallToolResult> InvokeAsync(
        RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        JsonElement? context = null, data = null;
        foreach (var (name, value) in request.Params?.Arguments ?? new Dictionary<string, JsonElement>())
        {
            switch (name)
            {
                case "context":
                    context = value;
                    break;
                case "data":
                    data = value;
                    break;
                default:
                    return McpDispatch.ToolError(RequestError.BadRequest(ErrorCodes.InvalidEnvelope,
                        $"Tool {ProtocolTool.Name} takes the arguments 'context' and 'data', not '{name}'. Put the payload in 'data'."));
            }
        }
        var result = await McpDispatch.SendAsync(_dispatcher, _callers.Caller(request.User), _action.Model, _action.Name, context, data, cancellationToken);
        return McpDispatch.ToToolResult(result);
    }
}
