namespace McpApi.Dispatching;

/// <summary>Collects field errors (<c>context.room</c>, <c>data.text</c>) and throws one 422 listing all of them.</summary>
public sealed class FieldErrors
{
    // Created with the first error: most calls have none.
    private Dictionary<string, List<string>>? _errors;

    public int Count => _errors?.Count ?? 0;

    public bool Has(string field) => _errors?.ContainsKey(field) == true;

    public void Add(string field, string message)
    {
        _errors ??= [];
        if (!_errors.TryGetValue(field, out var messages))
            _errors[field] = messages = [];
        messages.Add(message);
    }

    public void ThrowIfAny(string what)
    {
        if (_errors is null)
            return;
        var summary = string.Join(" ", _errors.Select(e => Sentence($"{e.Key} {string.Join("; ", e.Value.Select(m => m.TrimEnd('.')))}")));
        throw RequestError.Invalid(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()), $"{what}: {summary}");
    }

    /// <summary>One field's messages as a sentence ending in exactly one full stop, so several read as sentences in a row.</summary>
    private static string Sentence(string text) => text.TrimEnd('.', ' ') + ".";
}
