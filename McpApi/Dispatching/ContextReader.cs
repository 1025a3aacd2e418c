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

    private sealed record Key(string Name, bool Required, string? RequiredMessage, RegularExpressionAttribute[] Patterns);

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
            _keys[property.Name] = new Key(property.Name, required,
                attributes.OfType<RequiredAttribute>().FirstOrDefault()?.ErrorMessage,
                [.. attributes.OfType<RegularExpressionAttribute>()]);
        }
        if (type.GetCustomAttribute<PlainStringAttribute>() is { } plain)
            _plainKey = ActionSchemas.JsonName(type, plain.Property);
    }

    /// <summary>The typed context, or the default value after adding field errors to <paramref name="errors"/>.</summary>
    /// <param name="identity">The authenticated caller: fills the <see cref="CallerNameAttribute"/> key when absent; naming someone else is 403 without <c>act-as</c>.</param>
    public object? Read(JsonElement raw, FieldErrors errors, string model, string action, Auth.CallerIdentity? identity = null)
    {
        if (_type == typeof(JsonElement))
            return raw;
        if (_type == typeof(NoContext))
            return new NoContext();

        var values = new JsonObject();
        var before = errors.Count;
        switch (raw.ValueKind)
        {
            case JsonValueKind.String when _plainKey is not null:
                values[_plainKey] = raw.GetString();
                break;
            case JsonValueKind.String:
                errors.Add("context", $"must be an object with the keys {KeyList()}.");
                break;
            case JsonValueKind.Object:
                foreach (var property in raw.EnumerateObject())
                {
                    var field = "context." + property.Name;
                    if (!_keys.ContainsKey(property.Name))
                        errors.Add(field, $"is not read by {model}.{action}; its context keys are {KeyList()}.");
                    else if (property.Value.ValueKind == JsonValueKind.String)
                        values[property.Name] = property.Value.GetString();
                    else if (property.Value.ValueKind == JsonValueKind.Number)
                        values[property.Name] = property.Value.GetRawText();
                    else if (property.Value.ValueKind != JsonValueKind.Null)
                        errors.Add(field, $"must be a string, not {Envelopes.EnvelopeParser.Describe(property.Value.ValueKind)}.");
                }
                break;
        }

        if (identity is not null && _callerKey is not null)
        {
            if (values[_callerKey]?.GetValue<string>() is not { } named)
                values[_callerKey] = identity.Name;
            else if (!string.Equals(named, identity.Name, StringComparison.Ordinal) && !identity.Scopes.ActAs)
                throw Auth.Access.Impersonation(identity, "context." + _callerKey, named);
        }

        foreach (var key in _keys.Values)
        {
            var field = "context." + key.Name;
            if (values[key.Name]?.GetValue<string>() is { } value)
            {
                foreach (var pattern in key.Patterns.Where(p => !p.IsValid(value)))
                {
                    errors.Add(field, pattern is NameAttribute
                        ? $"'{Shorten(value)}' is not a valid name: use {NameAttribute.Rule}."
                        : $"'{Shorten(value)}' does not match {pattern.Pattern}.");
                }
            }
            else if (key.Required && !errors.Has(field))
                errors.Add(field, key.RequiredMessage ?? "is required; see the action's example in GET /mcp/models.");
        }
        if (errors.Count > before)
            return null;
        return values.Deserialize(_type, ActionSchemas.BindingOptions);
    }

    /// <summary>The <see cref="ContextScopeAttribute"/> value of a context read by <see cref="Read"/> (null: none, or the type has no such key).</summary>
    public string? ScopeOf(object context) => _scopeProperty?.GetValue(context) as string;

    private string KeyList() => string.Join(", ", _keys.Keys.Select(k => $"'{k}'"));

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
