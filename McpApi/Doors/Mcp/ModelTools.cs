using System.Text.Json;
using System.Text.Json.Nodes;
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
    public static IEnumerable<McpServerTool> From(ModelRegistry registry, Dispatcher dispatcher, string door) =>
        registry.Models.SelectMany(model => model.Actions.Select(action => (McpServerTool)new ModelTool(action, dispatcher, door)));

    public static string ToolName(RegisteredAction action) => $"{action.Model}_{action.Name}".ToLowerInvariant();

    /// <summary>
    /// A title a person reads in a tool picker: the action in words with its model, e.g. "Send (chat)", "Summary prompt (notes)",
    /// or the model alone when the action has its name ("Echo").
    /// </summary>
    public static string Title(RegisteredAction action)
    {
        static string Words(string name) => char.ToUpperInvariant(name[0]) + name[1..].Replace('_', ' ');
        return action.Name.Equals(action.Model, StringComparison.OrdinalIgnoreCase)
            ? Words(action.Model)
            : $"{Words(action.Name)} ({action.Model})";
    }
}

/// <summary>One model action as an MCP tool.</summary>
internal sealed class ModelTool : McpServerTool
{
    private readonly RegisteredAction _action;
    private readonly Dispatcher _dispatcher;
    private readonly string _door;

    public ModelTool(RegisteredAction action, Dispatcher dispatcher, string door)
    {
        _action = action;
        _dispatcher = dispatcher;
        _door = door;
        var declared = action.Action;
        ProtocolTool = new Tool
        {
            Name = ModelTools.ToolName(action),
            Title = ModelTools.Title(action),
            Description = declared.Description,
            InputSchema = ToolSchemas.Input(action),
            OutputSchema = ToolSchemas.Output(action),
            Annotations = new ToolAnnotations
            {
                Title = ModelTools.Title(action),
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
                case "context" when _action.Action.ContextType == typeof(NoContext)
                    && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
                    && !(value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any()):
                    return McpDispatch.ToolError(RequestError.Invalid("context",
                        $"{ProtocolTool.Name} reads no context; leave 'context' out."));
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
        var result = await McpDispatch.SendAsync(_dispatcher, _door, _action.Model, _action.Name, context, data, cancellationToken);
        return McpDispatch.ToToolResult(result, _action.Model);
    }
}
