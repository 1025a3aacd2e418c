using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
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
            if (!actions.TryAdd(action.Name, new RegisteredAction(handler.Name, action, handler.DefaultContextScope)))
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

    /// <summary>The action an envelope's <c>action</c> names: the model's default when it names none. The one place that applies the default.</summary>
    public bool TryGetActionOrDefault(string? name, out RegisteredAction action)
    {
        if (name is null)
        {
            action = Default;
            return true;
        }
        return TryGetAction(name, out action);
    }
}

/// <summary>An action with its schemas generated and compiled once at start-up.</summary>
public sealed class RegisteredAction
{
    public RegisteredAction(string model, ModelAction action, string? defaultContextScope = null)
    {
        Model = model;
        Action = action;
        DefaultContextScope = defaultContextScope;
        try
        {
            DataSchema = ActionSchemas.Data(action.DataType);
            ContextSchema = ActionSchemas.Context(action.ContextType);
            ResultSchema = ActionSchemas.Result(action.ResultType);
            Schema = JsonSchema.FromText(DataSchema.ToJsonString());
            QuickCheck = QuickSchemaCheck.Compile(DataSchema);
            ContextReader = new ContextReader(action.ContextType);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"The contract of {model}.{action.Name} cannot be turned into a JSON Schema: {ex.Message}", ex);
        }
        AcceptsAnything = DataSchema.Count == 0;
        if (action.DataType.GetCustomAttribute<PlainStringAttribute>() is { } plain)
            _plainDataKey = ActionSchemas.JsonName(action.DataType, plain.Property);
    }

    private readonly string? _plainDataKey;

    public string Model { get; }

    public ModelAction Action { get; }

    public string Name => Action.Name;

    /// <summary>The model's context scope when the context names none (see <see cref="IModelHandler.DefaultContextScope"/>).</summary>
    public string? DefaultContextScope { get; }

    /// <summary>The generated JSON Schema of <c>data</c>.</summary>
    public JsonObject DataSchema { get; }

    /// <summary>The generated JSON Schema of <c>context</c>.</summary>
    public JsonObject ContextSchema { get; }

    /// <summary>The generated JSON Schema of the success envelope's <c>data</c>.</summary>
    public JsonObject ResultSchema { get; }

    /// <summary><see cref="DataSchema"/>, compiled for validation.</summary>
    public JsonSchema Schema { get; }

    /// <summary>The fast path of <see cref="Schema"/> for the data most requests send (see <see cref="QuickSchemaCheck"/>).</summary>
    internal QuickSchemaCheck QuickCheck { get; }

    internal ContextReader ContextReader { get; }

    /// <summary>The schema is <c>{}</c>: validation is skipped.</summary>
    public bool AcceptsAnything { get; }

    /// <summary>
    /// Binds <c>data</c> (already checked against <see cref="Schema"/>) to the action's data type: absent or null is the
    /// record with its defaults, a plain string fills the <see cref="PlainStringAttribute"/> property.
    /// </summary>
    internal object? BindData(JsonElement data)
    {
        var type = Action.DataType;
        if (type == typeof(JsonElement))
            return data;
        try
        {
            if (data.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
                return JsonSerializer.Deserialize("{}", type, ActionSchemas.BindingOptions);
            if (data.ValueKind == JsonValueKind.String && _plainDataKey is not null)
                return new JsonObject { [_plainDataKey] = data.GetString() }.Deserialize(type, ActionSchemas.BindingOptions);
            return data.Deserialize(type, ActionSchemas.BindingOptions);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is null or "$" ? "data" : "data" + ex.Path.TrimStart('$');
            throw RequestError.Invalid(field, ex is NotAnIntegerException ? ex.Message : $"does not fit {Model}.{Name}'s data type; see GET /mcp/models.");
        }
    }
}
