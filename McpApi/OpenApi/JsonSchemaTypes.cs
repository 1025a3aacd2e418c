using System.ComponentModel;
using System.Reflection;
using System.Text.Json.Nodes;
using McpApi.Doors.Http;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace McpApi.OpenApi;

/// <summary>
/// How types the document would otherwise describe by their .NET internals appear in it: a <see cref="JsonNode"/>
/// (an action's <c>dataSchema</c>) is a JSON Schema object and a <see cref="JsonObject"/> (an action's example) a
/// free-form object, instead of <c>JsonNode{options, parent, root}</c>.
/// </summary>
internal static class JsonSchemaTypes
{
    public static void Map(SwaggerGenOptions options)
    {
        options.MapType<JsonNode>(() => new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "A JSON Schema document: what the action's data must look like.",
            AdditionalPropertiesAllowed = true,
        });
        options.MapType<JsonObject>(() => new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "A JSON object (an action's example: an envelope to send as is).",
            AdditionalPropertiesAllowed = true,
        });
        options.SchemaFilter<DescribedTypeFilter>();
    }

    /// <summary>
    /// A type's <see cref="DescriptionAttribute"/> becomes its schema's description; the envelope's schema allows other
    /// top-level fields, as the server does (the seed's <c>{"action": "test", "parameters": {...}}</c> is echoed).
    /// </summary>
    private sealed class DescribedTypeFilter : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is not OpenApiSchema concrete)
                return;
            if (context.Type.GetCustomAttribute<DescriptionAttribute>() is { } description)
                concrete.Description = description.Description;
            if (context.Type == typeof(EnvelopeRequest))
            {
                concrete.AdditionalPropertiesAllowed = true;
                concrete.AdditionalProperties = null;
            }
        }
    }
}
