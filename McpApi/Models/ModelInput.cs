using System.Text.Json;
using System.Text.RegularExpressions;
using McpApi.Dispatching;

namespace McpApi.Models;

/// <summary>Reading and checking the context and data values the models share (names, paging, optional fields).</summary>
internal static partial class ModelInput
{
    public const string NameRule = "1 to 64 letters, digits, '_', '.' or '-'";

    /// <summary>The JSON Schema fragment of a name (room, user, notebook, namespace, game, player).</summary>
    public const string NameSchema = """{"type":"string","pattern":"^[A-Za-z0-9_.-]{1,64}$"}""";

    /// <summary>For actions that take no data: nothing, null or an empty object.</summary>
    public const string NoDataSchema = """{"type":["object","null"],"properties":{},"additionalProperties":false,"description":"No data needed."}""";

    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex NamePattern();

    public static bool IsName(string? value) => value is not null && NamePattern().IsMatch(value);

    /// <summary>
    /// The context's <paramref name="key"/> when the context is an object; the plain-string context when
    /// <paramref name="textIsThisKey"/>; else null.
    /// </summary>
    public static string? FromContext(ModelCall call, string key, bool textIsThisKey) =>
        call.Context.IsObject ? call.Context.Get(key) : textIsThisKey ? call.Context.Text : null;

    /// <summary>Checks a name; adds a field error (e.g. <c>context.room</c>) when it is wrong.</summary>
    public static void CheckName(string? value, string field, FieldErrors errors, string example)
    {
        if (value is null)
            errors.Add(field, $"is required, e.g. {example}.");
        else if (!NamePattern().IsMatch(value))
            errors.Add(field, $"'{Shorten(value)}' is not a valid name: use {NameRule}.");
    }

    /// <summary>
    /// An optional integer property of object data; null when data is absent or has no such property. JSON Schema
    /// counts <c>2.0</c> as an integer, so whole numbers written with a fraction or exponent are read too; a number
    /// beyond the 64-bit range is a 422 naming the field.
    /// </summary>
    public static long? OptionalLong(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? ToLong(value, name)
            : null;

    /// <summary>A required integer property the schema has already checked.</summary>
    public static long RequiredLong(JsonElement data, string name) => ToLong(data.GetProperty(name), name);

    private static long ToLong(JsonElement value, string name)
    {
        if (value.TryGetInt64(out var whole))
            return whole;
        if (value.TryGetDecimal(out var number) && number == decimal.Truncate(number) && number is >= long.MinValue and <= long.MaxValue)
            return (long)number;
        throw RequestError.Invalid("data." + name,
            $"{Shorten(value.GetRawText())} is not an integer from {long.MinValue} to {long.MaxValue}; send a smaller whole number.");
    }

    public static string? OptionalString(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static int PageSize(JsonElement data) => (int)(OptionalLong(data, "limit") ?? DefaultPageSize);

    public static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}

/// <summary>Collects field errors and throws one 422 listing all of them.</summary>
internal sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = [];

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
            _errors[field] = messages = [];
        messages.Add(message);
    }

    public void ThrowIfAny(string what)
    {
        if (_errors.Count == 0)
            return;
        var summary = string.Join(" ", _errors.Select(e => Sentence($"{e.Key} {string.Join("; ", e.Value.Select(m => m.TrimEnd('.')))}")));
        throw RequestError.Invalid(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()), $"{what}: {summary}");
    }

    /// <summary>One field's messages as a sentence ending in exactly one full stop, so several read as sentences in a row.</summary>
    private static string Sentence(string text) => text.TrimEnd('.', ' ') + ".";
}
