using System.Collections.Frozen;
using Json.Schema;

namespace McpApi.Dispatching;

/// <summary>Every registered model, by name, with its actions' schemas compiled once at start-up.</summary>
public sealed class ModelRegistry
{
    private readonly FrozenDictionary<string, RegisteredModel> _models;

    public ModelRegistry(IEnumerable<IModelHandler> handlers)
    {
        var models = new Dictionary<string, RegisteredModel>(StringComparer.OrdinalIgnoreCase);
        foreach (var handler in handlers)
        {
            if (handler.Actions.Count == 0)
                throw new InvalidOperationException($"Model '{handler.Name}' declares no actions; declare at least one.");
            if (!models.TryAdd(handler.Name, new RegisteredModel(handler)))
                throw new InvalidOperationException($"Two models are named '{handler.Name}'; model names must be unique.");
        }
        _models = models.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        Names = [.. _models.Keys.Order(StringComparer.Ordinal)];
    }

    public IReadOnlyList<string> Names { get; }

    public IEnumerable<RegisteredModel> Models => Names.Select(name => _models[name]);

    public bool TryGet(string name, out RegisteredModel model) => _models.TryGetValue(name, out model!);
}

public sealed class RegisteredModel
{
    private readonly FrozenDictionary<string, RegisteredAction> _actions;

    public RegisteredModel(IModelHandler handler)
    {
        Handler = handler;
        var actions = new Dictionary<string, RegisteredAction>(StringComparer.OrdinalIgnoreCase);
        foreach (var action in handler.Actions)
        {
            if (!actions.TryAdd(action.Name, new RegisteredAction(handler.Name, action)))
                throw new InvalidOperationException($"Model '{handler.Name}' declares action '{action.Name}' twice.");
        }
        _actions = actions.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        Default = _actions[handler.Actions[0].Name];
    }

    public IModelHandler Handler { get; }

    public string Name => Handler.Name;

    public RegisteredAction Default { get; }

    public IEnumerable<RegisteredAction> Actions => Handler.Actions.Select(a => _actions[a.Name]);

    public bool TryGetAction(string name, out RegisteredAction action) => _actions.TryGetValue(name, out action!);
}

public sealed class RegisteredAction
{
    public RegisteredAction(string model, ModelAction action)
    {
        Model = model;
        Action = action;
        try
        {
            Schema = JsonSchema.FromText(action.DataSchema);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"The data schema of {model}.{action.Name} is not valid JSON Schema: {ex.Message}", ex);
        }
        AcceptsAnything = action.DataSchema.Trim() is "{}" or "true";
    }

    public string Model { get; }

    public ModelAction Action { get; }

    public string Name => Action.Name;

    public JsonSchema Schema { get; }

    /// <summary>The schema is <c>{}</c>: validation is skipped.</summary>
    public bool AcceptsAnything { get; }
}
