using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpApi.Envelopes;

namespace McpApi.Dispatching;

/// <summary>An action's code: it receives the typed context and data and returns a message and a typed result.</summary>
public delegate ValueTask<ModelResult<TResult>> ActionHandler<TContext, TData, TResult>(ActionCall<TContext, TData> call, CancellationToken cancellationToken);

/// <summary>
/// One operation of a model, described once by its types: the context it reads, the data it takes and the result it
/// returns. Their generated schemas drive validation, <c>GET /mcp/models</c>, the Swagger examples and the MCP tools.
/// Declare one with <see cref="For{TContext, TData, TResult}"/>.
/// </summary>
/// <param name="Name">The <c>action</c> value (snake_case).</param>
/// <param name="Description">What the action does, for humans and AI clients.</param>
public abstract record ModelAction(string Name, string Description)
{
    /// <summary>The action only reads (safe to retry, no side effects).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>The action may remove or overwrite stored data.</summary>
    public bool Destructive { get; init; }

    /// <summary>Repeating the same call has no further effect.</summary>
    public bool Idempotent { get; init; }

    /// <summary>The record the envelope's <c>context</c> is read into (<see cref="NoContext"/> when none is read).</summary>
    public abstract Type ContextType { get; }

    /// <summary>The record the envelope's <c>data</c> is bound to (<see cref="JsonElement"/>: any JSON, as sent).</summary>
    public abstract Type DataType { get; }

    /// <summary>The type of the success envelope's <c>data</c>.</summary>
    public abstract Type ResultType { get; }

    /// <summary>The example <c>data</c> as JSON, or null.</summary>
    public abstract JsonNode? ExampleDataJson { get; }

    /// <summary>The example <c>context</c> as JSON, or null.</summary>
    public abstract JsonNode? ExampleContextJson { get; }

    /// <summary>Declares an action: <c>ModelAction.For&lt;NamespaceContext, SetData, StateValue&gt;("set", "...", SetAsync)</c>.</summary>
    public static ModelAction<TContext, TData, TResult> For<TContext, TData, TResult>(
        string name, string description, ActionHandler<TContext, TData, TResult> handle) => new(name, description, handle);

    /// <summary>Builds the example envelope for this action of <paramref name="model"/>.</summary>
    public JsonObject ExampleEnvelope(string model)
    {
        var envelope = new JsonObject { ["model"] = model, ["action"] = Name };
        if (ExampleContextJson is { } context)
            envelope["context"] = context.DeepClone();
        if (ExampleDataJson is { } data)
            envelope["data"] = data.DeepClone();
        return envelope;
    }

    /// <summary>Reads the context, binds the data (after <see cref="DataValidator"/>), applies the action's checks and runs it.</summary>
    internal abstract ValueTask<ModelResult> InvokeAsync(RegisteredAction action, Envelope envelope, CallContext caller, CancellationToken cancellationToken);

    /// <summary>
    /// A typed example value as JSON: properties left at their defaults are left out, and a <see cref="PlainStringAttribute"/>
    /// record with only that property set is written as the plain string, the short form users type.
    /// </summary>
    private protected static JsonNode? ExampleJson(object? value, Type type)
    {
        if (value is null or JsonElement { ValueKind: JsonValueKind.Undefined })
            return null;
        var node = JsonSerializer.SerializeToNode(value, type, EnvelopeJson.Options);
        if (node is not JsonObject json || type == typeof(JsonElement))
            return node;
        var plainKey = type.GetCustomAttribute<PlainStringAttribute>() is { } plain ? ActionSchemas.JsonName(type, plain.Property) : null;
        foreach (var property in ActionSchemas.ContractOptions.GetTypeInfo(type).Properties)
        {
            var parameter = property.AssociatedParameter;
            if (json[property.Name] is null
                || property.Name != plainKey && parameter is { HasDefaultValue: true }
                    && JsonNode.DeepEquals(json[property.Name], JsonSerializer.SerializeToNode(parameter.DefaultValue, property.PropertyType, EnvelopeJson.Options)))
                json.Remove(property.Name);
        }
        return plainKey is not null && json.Count == 1 && json[plainKey] is JsonValue text ? text.DeepClone() : json;
    }
}

/// <summary>An action with its context, data and result types. Set the examples as typed values.</summary>
public sealed record ModelAction<TContext, TData, TResult>(string Name, string Description, ActionHandler<TContext, TData, TResult> Handle)
    : ModelAction(Name, Description)
{
    /// <summary>An example <c>data</c> value that passes validation.</summary>
    public TData? ExampleData { get; init; }

    /// <summary>An example <c>context</c> value.</summary>
    public TContext? ExampleContext { get; init; }

    /// <summary>
    /// Rules on the bound data that the schema cannot state (limits from settings, blank text). Its field errors are
    /// reported together with the context's, before the handler runs.
    /// </summary>
    public Action<TData, FieldErrors>? Check { get; init; }

    public override Type ContextType => typeof(TContext);

    public override Type DataType => typeof(TData);

    public override Type ResultType => typeof(TResult);

    public override JsonNode? ExampleDataJson => ExampleJson(ExampleData, typeof(TData));

    public override JsonNode? ExampleContextJson => ExampleJson(ExampleContext, typeof(TContext));

    internal override async ValueTask<ModelResult> InvokeAsync(
        RegisteredAction action, Envelope envelope, CallContext caller, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var context = action.ContextReader.Read(envelope.Context.Raw, errors, action.Model, Name, caller.Identity);
        if (caller.Identity is { } identity && context is not null)
            Auth.Access.RequireScope(identity, action, action.ContextReader.ScopeOf(context) ?? action.DefaultContextScope);
        DataValidator.Validate(action, envelope.Data);
        var data = (TData)action.BindData(envelope.Data)!;
        Check?.Invoke(data, errors);
        errors.ThrowIfAny($"The request does not fit {action.Model}.{Name}");

        var result = await Handle(new ActionCall<TContext, TData>(envelope, Name, caller, (TContext)context!, data), cancellationToken);
        return new ModelResult(result.Message, result.Data);
    }
}
