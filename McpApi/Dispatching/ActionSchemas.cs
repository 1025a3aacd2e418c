using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using McpApi.Envelopes;

namespace McpApi.Dispatching;

/// <summary>
/// JSON Schemas generated from an action's context, data and result types with .NET's <see cref="JsonSchemaExporter"/>,
/// the envelope's JSON options and a transform for <see cref="DescriptionAttribute"/>, <see cref="RangeAttribute"/>,
/// <see cref="MinLengthAttribute"/>/<see cref="MaxLengthAttribute"/>, <see cref="RegularExpressionAttribute"/>,
/// <see cref="PlainStringAttribute"/> and <see cref="AnyOfRequiredAttribute"/>. The same options bind requests, so what
/// the schema allows is what the handler receives.
/// </summary>
public static class ActionSchemas
{
    /// <summary>
    /// <see cref="EnvelopeJson.Options"/> plus the contract switches: constructor parameters without a default are required,
    /// nullable annotations hold, unknown properties are refused, and numbers are JSON numbers.
    /// </summary>
    public static readonly JsonSerializerOptions ContractOptions = CreateContractOptions();

    /// <summary>
    /// <see cref="ContractOptions"/> that also read whole numbers written <c>2.0</c> or <c>2e0</c> as integers,
    /// as JSON Schema counts them (the schema is checked before binding).
    /// </summary>
    public static readonly JsonSerializerOptions BindingOptions = CreateBindingOptions();

    private static JsonSerializerOptions CreateContractOptions()
    {
        var options = new JsonSerializerOptions(EnvelopeJson.Options)
        {
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            NumberHandling = JsonNumberHandling.Strict,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.MakeReadOnly();
        return options;
    }

    private static JsonSerializerOptions CreateBindingOptions()
    {
        var options = new JsonSerializerOptions(ContractOptions);
        options.Converters.Add(new WholeNumberConverter.Int64());
        options.Converters.Add(new WholeNumberConverter.Int32());
        options.MakeReadOnly();
        return options;
    }

    /// <summary>
    /// The schema of an action's <c>data</c>. A record with no required property may also be absent or null
    /// (<c>"type": ["object", "null"]</c>); optional properties are absent rather than null.
    /// </summary>
    public static JsonObject Data(Type type) => type == typeof(JsonElement) ? [] : Export(type, input: true);

    /// <summary>
    /// The schema of an action's <c>context</c>: <c>"type": ["string", "object"]</c> with the object's keys, where a plain
    /// string is the key named by <see cref="PlainStringAttribute"/>.
    /// </summary>
    public static JsonObject Context(Type type)
    {
        if (type == typeof(JsonElement))
            return new JsonObject { ["type"] = new JsonArray("string", "object"), ["description"] = "Any context." };
        if (type == typeof(NoContext))
            return new JsonObject { ["type"] = new JsonArray("string", "object"), ["description"] = Description(type) };

        var schema = Export(type, input: true, plainStringAsOneOf: false);
        var plain = type.GetCustomAttribute<PlainStringAttribute>();
        var result = new JsonObject { ["type"] = plain is null ? "object" : new JsonArray("string", "object") };
        var description = Description(type);
        if (plain is not null)
            description = $"{description} A plain string is the {JsonName(type, plain.Property)}.".TrimStart();
        if (description.Length > 0)
            result["description"] = description;
        foreach (var key in new[] { "properties", "required", "additionalProperties" })
        {
            if (schema[key] is { } value)
                result[key] = value.DeepClone();
        }
        return result;
    }

    /// <summary>The schema of an action's result (the <c>data</c> of its success envelope).</summary>
    public static JsonObject Result(Type type) => Export(type, input: false);

    private static JsonObject Export(Type type, bool input, bool plainStringAsOneOf = true)
    {
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) => Transform(context, node, input, plainStringAsOneOf),
        };
        var node = ContractOptions.GetJsonSchemaAsNode(type, exporter);
        return node as JsonObject ?? [];
    }

    private static JsonNode Transform(JsonSchemaExporterContext context, JsonNode node, bool input, bool plainStringAsOneOf)
    {
        var schema = node as JsonObject ?? [];
        if (IsTimestamp(context.TypeInfo.Type, out var nullable) && !schema.ContainsKey("type"))
        {
            // UtcTimestamps' converters hide the type from the exporter: timestamps are ISO 8601 strings.
            schema["type"] = nullable ? new JsonArray("string", "null") : "string";
            schema["format"] = "date-time";
        }
        if (context.PropertyInfo is { } property)
        {
            ApplyPropertyAttributes(schema, Attributes(property));
            AllowNullItems(schema, property);
            if (schema.TryGetPropertyValue("default", out var fallback) && fallback is null)
                schema.Remove("default");
            if (input && property.AssociatedParameter is not { HasDefaultValue: false } && property.PropertyType != typeof(JsonElement))
                RemoveNull(schema); // optional means absent, not null
            return schema;
        }
        if (context.Path.Length > 0)
            return schema;

        // The root: the type itself.
        var type = context.TypeInfo.Type;
        if (type.GetCustomAttribute<DescriptionAttribute>() is { } typeDescription)
            schema["description"] = typeDescription.Description;
        var anyOf = type.GetCustomAttributes<AnyOfRequiredAttribute>().ToArray();
        if (anyOf.Length > 0)
            schema["anyOf"] = new JsonArray([.. anyOf.Select(a => (JsonNode)new JsonObject { ["required"] = new JsonArray([.. a.Properties.Select(p => (JsonNode)p)]) })]);
        if (context.TypeInfo.Kind == JsonTypeInfoKind.Object && !schema.ContainsKey("properties"))
            schema["properties"] = new JsonObject(); // "takes no properties", said as plainly as before
        var hasRequired = schema["required"] is JsonArray { Count: > 0 };
        if (input && context.TypeInfo.Kind == JsonTypeInfoKind.Object && !hasRequired && anyOf.Length == 0)
            schema["type"] = new JsonArray("object", "null");

        if (plainStringAsOneOf && type.GetCustomAttribute<PlainStringAttribute>() is { } plain)
        {
            var name = JsonName(type, plain.Property);
            var text = schema["properties"]?[name]?.DeepClone() as JsonObject ?? new JsonObject { ["type"] = "string" };
            var described = schema["description"];
            schema.Remove("description");
            var oneOf = new JsonObject { ["oneOf"] = new JsonArray(text, schema) };
            if (described is not null)
                oneOf["description"] = described.DeepClone();
            return oneOf;
        }
        return schema;
    }

    /// <summary>
    /// <c>IReadOnlyList&lt;string?&gt;</c>: the exporter cannot see a list's element nullability, so its items say null is allowed here.
    /// </summary>
    private static void AllowNullItems(JsonObject schema, JsonPropertyInfo property)
    {
        if (property.AttributeProvider is not PropertyInfo member || schema["items"] is not JsonObject { } items || items["type"] is not JsonValue type)
            return;
        var nullability = new NullabilityInfoContext().Create(member);
        var element = nullability.ElementType ?? (nullability.GenericTypeArguments is [var only] ? only : null);
        if (element?.ReadState == NullabilityState.Nullable && type.GetValue<string>() != "null")
            items["type"] = new JsonArray(type.GetValue<string>(), "null");
    }

    private static bool IsTimestamp(Type type, out bool nullable)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        nullable = underlying is not null;
        return (underlying ?? type) == typeof(DateTime) || (underlying ?? type) == typeof(DateTimeOffset);
    }

    private static void ApplyPropertyAttributes(JsonObject schema, IEnumerable<Attribute> attributes)
    {
        foreach (var attribute in attributes)
        {
            switch (attribute)
            {
                case DescriptionAttribute description:
                    schema["description"] = description.Description;
                    break;
                case RangeAttribute range:
                    if (Convert.ToDouble(range.Minimum) > long.MinValue)
                        schema["minimum"] = Number(range.Minimum);
                    if (Convert.ToDouble(range.Maximum) < long.MaxValue)
                        schema["maximum"] = Number(range.Maximum);
                    break;
                case MinLengthAttribute min:
                    schema[IsArray(schema) ? "minItems" : "minLength"] = min.Length;
                    break;
                case MaxLengthAttribute max:
                    schema[IsArray(schema) ? "maxItems" : "maxLength"] = max.Length;
                    break;
                case RegularExpressionAttribute pattern:
                    schema["pattern"] = pattern.Pattern;
                    break;
            }
        }
    }

    /// <summary>Attributes of the property and of the record constructor parameter it comes from.</summary>
    internal static IEnumerable<Attribute> Attributes(JsonPropertyInfo property)
    {
        var own = property.AttributeProvider?.GetCustomAttributes(inherit: true).OfType<Attribute>() ?? [];
        var parameter = property.AssociatedParameter?.AttributeProvider?.GetCustomAttributes(inherit: true).OfType<Attribute>() ?? [];
        return own.Concat(parameter);
    }

    private static JsonNode Number(object value) => value switch
    {
        int i => i,
        long l => l,
        double d when d == Math.Floor(d) && Math.Abs(d) < 1e15 => (long)d,
        double d => d,
        _ => JsonValue.Create(Convert.ToDouble(value))!,
    };

    private static bool IsArray(JsonObject schema) =>
        schema["type"] is JsonValue value && value.GetValue<string>() == "array"
        || schema["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "array");

    private static void RemoveNull(JsonObject schema)
    {
        if (schema["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null"))
        {
            var rest = types.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToArray();
            schema["type"] = rest.Length == 1 ? rest[0] : new JsonArray([.. rest.Select(t => (JsonNode)t)]);
        }
    }

    internal static string JsonName(Type type, string property) =>
        ContractOptions.GetTypeInfo(type).Properties.FirstOrDefault(p => p.AttributeProvider is MemberInfo m && m.Name == property)?.Name
        ?? throw new InvalidOperationException($"{type.Name} has no property '{property}' for its [PlainString] attribute.");

    private static string Description(Type type) => type.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "";
}
