using System.Text.Json;
using Json.Schema;

namespace McpApi.Dispatching;

/// <summary>Checks an envelope's <c>data</c> against the action's JSON Schema and reports field errors.</summary>
public static class DataValidator
{
    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List };

    private static readonly JsonElement Null = JsonDocument.Parse("null").RootElement;

    public static void Validate(RegisteredAction action, JsonElement data)
    {
        if (action.AcceptsAnything)
            return;

        var instance = data.ValueKind == JsonValueKind.Undefined ? Null : data;
        if (action.QuickCheck.Check(instance) == SchemaVerdict.Valid)
            return;
        EvaluationResults results;
        try
        {
            results = action.Schema.Evaluate(instance, Options);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            // The schema library reads numbers as decimal: 1e308 and the like do not fit.
            throw RequestError.Invalid("data",
                $"holds a number this server cannot process (beyond ±{decimal.MaxValue:E2}); send smaller numbers, or the value as a string.");
        }
        if (results.IsValid)
            return;

        var errors = new Dictionary<string, List<string>>();
        foreach (var detail in results.Details)
        {
            if (detail.IsValid || !detail.HasErrors)
                continue;
            var field = FieldName(detail.InstanceLocation.ToString());
            if (!errors.TryGetValue(field, out var messages))
                errors[field] = messages = [];
            foreach (var message in detail.Errors!.Values)
            {
                if (!messages.Contains(message))
                    messages.Add(message);
            }
        }
        if (errors.Count == 0)
            errors["data"] = ["does not match the action's schema."];
        if (data.ValueKind == JsonValueKind.Undefined)
            errors["data"] = ["is required: see the action's schema and example in GET /mcp/models.", .. errors.GetValueOrDefault("data") ?? []];

        var summary = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}".TrimEnd('.')));
        throw RequestError.Invalid(
            errors.ToDictionary(e => e.Key, e => e.Value.ToArray()),
            $"The data does not fit {action.Model}.{action.Name}: {summary}. See GET /mcp/models for its schema and an example.");
    }

    /// <summary>JSON pointer "/text" → "data.text"; "" → "data".</summary>
    private static string FieldName(string pointer) =>
        pointer is "" or "#" ? "data" : "data" + pointer.TrimStart('#').Replace('/', '.');
}
