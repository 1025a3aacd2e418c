using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using McpApi.Dispatching;
using McpApi.Envelopes;

namespace McpApi.Doors.Mcp;

/// <summary>
/// A tool's input and output schemas, generated from the action's context, data and result schemas (the ones
/// <c>GET /mcp/models</c> and Swagger show) and spelled the portable way clients map onto single-type dialects:
/// no <c>type</c> arrays (<c>anyOf</c> branches instead), no keyword-less schemas (any JSON value is an <c>anyOf</c> of
/// the six types), the context as the object it is (its plain-string shorthand is for people typing envelopes).
/// </summary>
internal static class ToolSchemas
{
    private const string Dialect = "https://json-schema.org/draft/2020-12/schema";

    /// <summary>
    /// <c>{context?, data?}</c>: <c>context</c> is the object the action reads (left out when it reads none), required
    /// when it has required keys; <c>data</c> is the action's own schema (its <c>$defs</c> moved to the root so
    /// <c>#/$defs/...</c> references still resolve), required when the schema rejects a missing value.
    /// </summary>
    public static JsonElement Input(RegisteredAction action)
    {
        var properties = new JsonObject();
        var required = new JsonArray();

        if (Context(action) is { } context)
        {
            properties["context"] = context;
            if (context["required"] is JsonArray { Count: > 0 })
                required.Add("context");
        }

        var data = (JsonObject)action.DataSchema.DeepClone();
        data.Remove("$schema");
        data.Remove("$id");
        var defs = data["$defs"]?.DeepClone();
        data.Remove("$defs");
        var dataRequired = !action.AcceptsAnything && !action.Schema.Evaluate(JsonDocument.Parse("null").RootElement, new EvaluationOptions()).IsValid;
        if (!dataRequired)
            DropNull(data); // optional: left out rather than null
        if (action.Action.ExampleDataJson is { } exampleData && !data.ContainsKey("examples"))
            data["examples"] = new JsonArray(exampleData.DeepClone());
        properties["data"] = data;
        if (dataRequired)
            required.Add("data");

        var schema = new JsonObject
        {
            ["$schema"] = Dialect,
            ["type"] = "object",
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
        if (required.Count > 0)
            schema["required"] = required;
        if (defs is not null)
            schema["$defs"] = defs;
        return ToElement(Portable(schema));
    }

    /// <summary>An action's data schema as a tool's whole arguments object (for a seed tool that takes the data's properties).</summary>
    public static JsonElement PageArguments(RegisteredAction action)
    {
        var data = (JsonObject)action.DataSchema.DeepClone();
        data.Remove("$schema");
        data.Remove("$id");
        DropNull(data);
        data["additionalProperties"] = false;
        return ToElement(Portable(data));
    }

    /// <summary>The response envelope with this action's result as <c>data</c> on success, <see cref="ErrorDetails"/> on errors.</summary>
    public static JsonElement Output(RegisteredAction action) => Output(action.ResultSchema);

    /// <summary>The response envelope with <paramref name="resultSchema"/> as <c>data</c> on success.</summary>
    public static JsonElement Output(JsonObject resultSchema)
    {
        var result = (JsonObject)resultSchema.DeepClone();
        result.Remove("$schema");
        result.Remove("$id");
        var defs = result["$defs"]?.DeepClone();
        result.Remove("$defs");

        var schema = new JsonObject
        {
            ["$schema"] = Dialect,
            ["type"] = "object",
            ["description"] = "The McpApi response envelope: data is the result on success, {code, errors?, traceId} on errors.",
            ["properties"] = new JsonObject
            {
                ["status"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("success", "error") },
                ["message"] = new JsonObject { ["type"] = "string", ["description"] = "What happened; for errors, what was wrong and how to fix it." },
                ["data"] = new JsonObject { ["anyOf"] = new JsonArray(result, ErrorDetailsSchema()) },
            },
            ["required"] = new JsonArray("status", "message", "data"),
            ["additionalProperties"] = false,
        };
        if (defs is not null)
            schema["$defs"] = defs;
        return ToElement(Portable(schema));
    }

    /// <summary>The context object an action reads, or null when it reads none.</summary>
    private static JsonObject? Context(RegisteredAction action)
    {
        var type = action.Action.ContextType;
        if (type == typeof(NoContext))
            return null;
        if (type == typeof(JsonElement))
        {
            return new JsonObject
            {
                ["description"] = "Any context: a string or an object.",
                ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "string" }, new JsonObject { ["type"] = "object", ["additionalProperties"] = true }),
            };
        }

        var generated = action.ContextSchema;
        var context = new JsonObject { ["type"] = "object" };
        if (type.GetCustomAttribute<System.ComponentModel.DescriptionAttribute>() is { Description.Length: > 0 } description)
            context["description"] = description.Description;
        foreach (var key in new[] { "properties", "required" })
        {
            if (generated[key] is { } value)
                context[key] = value.DeepClone();
        }
        context["properties"] ??= new JsonObject();
        context["additionalProperties"] = false;
        if (action.Action.ExampleContextJson is { } example)
        {
            // The short form "ana" is the plain-string key's value; tools show the object it stands for.
            if (example is JsonValue && type.GetCustomAttribute<PlainStringAttribute>() is { } plain)
                example = new JsonObject { [ActionSchemas.JsonName(type, plain.Property)] = example.DeepClone() };
            context["examples"] = new JsonArray(example.DeepClone());
        }
        return context;
    }

    /// <summary>The <c>data</c> of an error envelope (<see cref="ErrorDetails"/>).</summary>
    private static JsonObject ErrorDetailsSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "An error's details.",
        ["properties"] = new JsonObject
        {
            ["code"] = new JsonObject { ["type"] = "string", ["description"] = "Stable snake_case error code." },
            ["errors"] = new JsonObject
            {
                ["type"] = "object",
                ["description"] = "Field errors: field path → messages.",
                ["additionalProperties"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
            },
            ["traceId"] = new JsonObject { ["type"] = "string", ["description"] = "Quote it when reporting a failure." },
        },
        ["required"] = new JsonArray("code", "traceId"),
        ["additionalProperties"] = true,
    };

    private static readonly string[] AllTypes = ["object", "array", "string", "number", "boolean", "null"];

    /// <summary>Keywords that constrain a value (a schema with none of them accepts anything).</summary>
    private static readonly HashSet<string> Constraining =
    [
        "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength",
        "pattern", "format", "contentMediaType", "contentEncoding", "contentSchema", "maxItems", "minItems", "uniqueItems", "maxContains",
        "minContains", "maxProperties", "minProperties", "required", "dependentRequired", "allOf", "anyOf", "oneOf", "not", "items",
        "prefixItems", "contains", "additionalItems", "unevaluatedItems", "properties", "patternProperties", "additionalProperties",
        "unevaluatedProperties", "propertyNames", "dependentSchemas", "dependencies", "$ref", "$dynamicRef", "$recursiveRef",
    ];

    private static readonly string[] SchemaMaps = ["properties", "patternProperties", "$defs", "dependentSchemas"];
    private static readonly string[] SchemaLists = ["allOf", "anyOf", "oneOf", "prefixItems"];
    private static readonly string[] SchemaValues = ["items", "additionalProperties", "contains", "not", "if", "then", "else", "propertyNames", "unevaluatedProperties", "unevaluatedItems"];

    /// <summary>
    /// Rewrites <paramref name="schema"/> in place without changing what it accepts: a <c>type</c> array becomes
    /// <c>anyOf</c> single-type branches (the other keywords stay beside it: each applies to its own type), and a schema
    /// that constrains nothing becomes an explicit <c>anyOf</c> of every JSON type.
    /// </summary>
    internal static JsonObject Portable(JsonObject schema, string? keyword = null)
    {
        foreach (var map in SchemaMaps)
        {
            if (schema[map] is JsonObject entries)
            {
                foreach (var (_, sub) in entries.ToArray())
                {
                    if (sub is JsonObject child)
                        Portable(child, map);
                }
            }
        }
        foreach (var list in SchemaLists)
        {
            if (schema[list] is JsonArray items)
            {
                foreach (var sub in items)
                {
                    if (sub is JsonObject child)
                        Portable(child, list);
                }
            }
        }
        foreach (var single in SchemaValues)
        {
            if (schema[single] is JsonObject child)
                Portable(child, single);
        }

        if (schema["type"] is JsonArray types)
        {
            var names = types.Select(t => t!.GetValue<string>()).Distinct().ToArray();
            schema.Remove("type");
            if (names.Length == 1)
                schema["type"] = names[0];
            else
                AddAnyOf(schema, names);
        }
        else if (keyword is not "not" && !schema.Any(p => Constraining.Contains(p.Key)) && !(schema.ContainsKey("if") && (schema.ContainsKey("then") || schema.ContainsKey("else"))))
        {
            AddAnyOf(schema, AllTypes); // "any JSON value", said with keywords
        }
        return schema;
    }

    private static void AddAnyOf(JsonObject schema, IEnumerable<string> types)
    {
        var branches = new JsonArray([.. types.Select(t => (JsonNode)new JsonObject { ["type"] = t })]);
        if (schema["anyOf"] is JsonArray existing)
        {
            schema.Remove("anyOf");
            schema["allOf"] = new JsonArray(new JsonObject { ["anyOf"] = branches }, new JsonObject { ["anyOf"] = existing });
        }
        else
        {
            schema["anyOf"] = branches;
        }
    }

    /// <summary>Removes <c>null</c> from the root's <c>type</c> array (an optional value is left out, not null).</summary>
    private static void DropNull(JsonObject schema)
    {
        if (schema["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null"))
        {
            var rest = types.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToArray();
            schema["type"] = rest.Length == 1 ? rest[0] : new JsonArray([.. rest.Select(t => (JsonNode)t)]);
        }
    }

    private static JsonElement ToElement(JsonObject schema) => JsonSerializer.SerializeToElement(schema, EnvelopeJson.Options);
}
