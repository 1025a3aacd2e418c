using McpApi.Dispatching;

namespace McpApi.Doors.Realtime;

/// <summary>
/// Topic names are <c>{model}:{scope}</c> — <c>chat:lobby</c>, <c>move:g1</c>, <c>state:settings</c>, <c>notes:work</c> —
/// where <c>model</c> is a registered model and <c>scope</c> is 1–100 characters without spaces, commas, semicolons or '='.
/// </summary>
public static class Topics
{
    public const int MaxScopeLength = 100;

    /// <summary>Checks every topic and returns them de-duplicated, or throws a 422 naming each bad one.</summary>
    public static string[] Validate(IEnumerable<string> topics, ModelRegistry registry, string field)
    {
        var errors = new List<string>();
        var valid = new List<string>();
        foreach (var topic in topics)
        {
            if (Problem(topic, registry) is { } problem)
                errors.Add(problem);
            else if (!valid.Contains(topic, StringComparer.Ordinal))
                valid.Add(topic);
        }
        if (errors.Count > 0)
            throw new RequestError(StatusCodes.Status422UnprocessableEntity, RealtimeErrorCodes.InvalidTopic,
                $"Invalid topic: {string.Join(" ", errors)} Topics look like 'chat:lobby' or 'move:g1' ({{model}}:{{scope}}).")
            {
                Errors = new Dictionary<string, string[]> { [field] = [.. errors] },
                Extra = new() { ["models"] = registry.Names },
            };
        return [.. valid];
    }

    private static string? Problem(string topic, ModelRegistry registry)
    {
        var colon = topic.IndexOf(':');
        if (colon <= 0 || colon == topic.Length - 1)
            return $"'{topic}' is not {{model}}:{{scope}}.";
        var model = topic[..colon];
        var scope = topic[(colon + 1)..];
        if (!registry.TryGet(model, out var registered) || registered.Name != model)
            return $"'{topic}' names no model '{model}' (models: {string.Join(", ", registry.Names)}).";
        if (scope.Length > MaxScopeLength)
            return $"'{topic[..Math.Min(topic.Length, 40)]}...' has a scope longer than {MaxScopeLength} characters.";
        if (scope == "*")
            return $"'{topic}' names no place: '*' is not a {model} scope here; subscribe to each one ('{model}:lobby').";
        if (scope.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is ',' or ';' or '='))
            return $"'{topic}' contains a space, comma, semicolon or '='.";
        return null;
    }
}
