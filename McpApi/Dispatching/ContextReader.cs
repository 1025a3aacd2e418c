using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace McpApi.Dispatching;

/// <summary>
/// Reads an envelope's <c>context</c> into an action's context record, the one way for every model: a plain string fills
/// the <see cref="PlainStringAttribute"/> key, an object's keys fill the properties (strings, or numbers as text; null is
/// absent), absent keys take the record's defaults. Unknown keys, missing required keys and values breaking a
/// <see cref="RegularExpressionAttribute"/> (such as <see cref="NameAttribute"/>) are field errors (<c>context.room</c>).
/// </summary>
internal sealed class ContextReader
{
    private readonly Type _type;
    private readonly Dictionary<string, Key> _keys;
    private readonly string? _plainKey;
    private readonly string? _callerKey;
    private readonly PropertyInfo? _scopeProperty;

    /// <summary>The record's constructor when every key is one of its parameters: the context is built with it directly.</summary>
    private readonly ConstructorInfo? _constructor;

    /// <param name="Slot">The key's place in the values read, and its constructor parameter's position (-1: none).</param>
    /// <param name="Default">The parameter's default, taken when the key is absent.</param>
    private sealed record Key(string Name, bool Required, string? RequiredMessage, RegularExpressionAttribute[] Patterns,
        int Slot, int Parameter, object? Default);

    public ContextReader(Type type)
    {
        _type = type;
        _keys = new Dictionary<string, Key>(StringComparer.Ordinal);
        if (type == typeof(NoContext) || type == typeof(JsonElement))
            return;
        var info = ActionSchemas.BindingOptions.GetTypeInfo(type);
        if (info.Kind != JsonTypeInfoKind.Object)
            throw new InvalidOperationException($"The context type {type.Name} must be a record with string properties.");
        foreach (var property in info.Properties)
        {
            if (property.PropertyType != typeof(string))
                throw new InvalidOperationException($"Context property {type.Name}.{property.Name} must be a string: context values are names.");
            var attributes = ActionSchemas.Attributes(property).ToArray();
            var required = property.IsRequired || property.AssociatedParameter is { HasDefaultValue: false };
            if (attributes.OfType<CallerNameAttribute>().Any())
                _callerKey = property.Name;
            if (attributes.OfType<ContextScopeAttribute>().Any())
                _scopeProperty = property.AttributeProvider as PropertyInfo;
            var parameter = property.AssociatedParameter;
            _keys[property.Name] = new Key(property.Name, required,
                attributes.OfType<RequiredAttribute>().FirstOrDefault()?.ErrorMessage,
                [.. attributes.OfType<RegularExpressionAttribute>()],
                _keys.Count, parameter?.Position ?? -1, parameter is { HasDefaultValue: true } ? parameter.DefaultValue : null);
        }
        if (type.GetCustomAttribute<PlainStringAttribute>() is { } plain)
            _plainKey = ActionSchemas.JsonName(type, plain.Property);
        if (info.ConstructorAttributeProvider is ConstructorInfo constructor && constructor.GetParameters().Length == _keys.Count
            && _keys.Values.All(k => k.Parameter >= 0))
            _constructor = constructor;
    }

    /// <summary>The typed context, or the default value after adding field errors to <paramref name="errors"/>.</summary>
    /// <param name="identity">The authenticated caller: fills the <see cref="CallerNameAttribute"/> key when absent; naming someone else is 403 without <c>act-as</c>.</param>
    public object? Read(JsonElement raw, FieldErrors errors, string model, string action, Auth.CallerIdentity? identity = null)
    {
        if (_type == typeof(JsonElement))
            return raw;
        if (_type == typeof(NoContext))
            return new NoContext();

        // The values by key slot (null: absent); a context is a handful of string keys, so no JSON document is built.
        var values = new string?[_keys.Count];
        var before = errors.Count;
        switch (raw.ValueKind)
        {
            case JsonValueKind.String when _plainKey is not null:
                values[_keys[_plainKey].Slot] = raw.GetString();
                break;
            case JsonValueKind.String:
                errors.Add("context", $"must be an object with the keys {KeyList()}.");
                break;
            case JsonValueKind.Object:
                foreach (var property in raw.EnumerateObject())
                {
                    if (!_keys.TryGetValue(property.Name, out var key))
                        errors.Add("context." + property.Name, $"is not read by {model}.{action}; its context keys are {KeyList()}.");
                    else if (property.Value.ValueKind == JsonValueKind.String)
                        values[key.Slot] = property.Value.GetString();
                    else if (property.Value.ValueKind == JsonValueKind.Number)
                        values[key.Slot] = property.Value.GetRawText();
                    else if (property.Value.ValueKind != JsonValueKind.Null)
                        errors.Add("context." + property.Name, $"must be a string, not {Envelopes.EnvelopeParser.Describe(property.Value.ValueKind)}.");
                }
                break;
        }

        if (identity is not null && _callerKey is not null)
        {
            var slot = _keys[_callerKey].Slot;
            if (values[slot] is not { } named)
                values[slot] = identity.Name;
            else if (!string.Equals(named, identity.Name, StringComparison.Ordinal) && !identity.Scopes.ActAs)
                throw Auth.Access.Impersonation(identity, "context." + _callerKey, named);
        }

        foreach (var key in _keys.Values)
        {
            if (values[key.Slot] is { } value)
            {
                foreach (var pattern in key.Patterns)
                {
                    if (pattern.IsValid(value))
                        continue;
                    errors.Add("context." + key.Name, pattern is NameAttribute
                        ? $"'{Shorten(value)}' is not a valid name: use {NameAttribute.Rule}."
                        : $"'{Shorten(value)}' does not match {pattern.Pattern}.");
                }
            }
            else if (key.Required && !errors.Has("context." + key.Name))
                errors.Add("context." + key.Name, key.RequiredMessage ?? "is required; see the action's example in GET /mcp/models.");
        }
        if (errors.Count > before)
            return null;
        if (_constructor is not null)
        {
            var arguments = new object?[values.Length];
            foreach (var key in _keys.Values)
                arguments[key.Parameter] = values[key.Slot] ?? key.Default;
            return _constructor.Invoke(arguments);
        }
        var json = new JsonObject();
        foreach (var key in _keys.Values)
        {
            if (values[key.Slot] is { } value)
                json[key.Name] = value;
        }
        return json.Deserialize(_type, ActionSchemas.BindingOptions);
    }

    /// <summary>The <see cref="ContextScopeAttribute"/> value of a context read by <see cref="Read"/> (null: none, or the type has no such key).</summary>
    public string? ScopeOf(object context) => _scopeProperty?.GetValue(context) as string;

    private string KeyList() => string.Join(", ", _keys.Keys.Select(k => $"'{k}'"));

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
