using System.Text.Json.Nodes;
using McpApi.Dispatching;

namespace McpApi.Doors.Http;

/// <summary>The body of <c>GET /mcp/models</c>.</summary>
public sealed record ModelCatalog(IReadOnlyList<ModelInfo> Models)
{
    /// <param name="visible">Which actions to list (the caller's, when authenticated); a model with none is left out.</param>
    public static ModelCatalog From(ModelRegistry registry, Func<RegisteredAction, bool>? visible = null) =>
        new([.. registry.Models.Where(m => visible is null || m.Actions.Any(visible)).Select(m => new ModelInfo(
            m.Name, m.Handler.Description, m.Default.Name,
            [.. m.Actions.Where(a => visible is null || visible(a)).Select(a => new ActionInfo(
                a.Name, a.Action.Description,
                a.DataSchema.DeepClone(),
                a.ContextSchema.DeepClone(),
                a.ResultSchema.DeepClone(),
                a.Action.ExampleEnvelope(m.Name),
                a.Action.ReadOnly, a.Action.Destructive, a.Action.Idempotent))]))]);
}

public sealed record ModelInfo(string Name, string Description, string DefaultAction, IReadOnlyList<ActionInfo> Actions);

public sealed record ActionInfo(
    string Name, string Description, JsonNode DataSchema, JsonNode ContextSchema, JsonNode ResultSchema, JsonObject Example,
    bool ReadOnly, bool Destructive, bool Idempotent);
