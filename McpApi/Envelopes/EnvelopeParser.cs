using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using McpApi.Dispatching;

namespace McpApi.Envelopes;

/// <summary>Turns a JSON request object into an <see cref="Envelope"/>, or a 400 error naming each wrong field.</summary>
public static class EnvelopeParser
{
    /// <summary>The model that answers envelopes without a <c>model</c> (the seed's request shape).</summary>
    public const string DefaultModel = "echo";

    /// <summary>
    /// How deep an envelope may nest, counting the envelope object itself (so <c>data</c> may nest one level less).
    /// Every door refuses deeper input with 400 <c>nesting_too_deep</c>; replies are written with twice this depth
    /// (<see cref="EnvelopeJson.Options"/>), so whatever is accepted can be answered with its door's framing around it.
    /// </summary>
    public const int MaxDepth = 32;

    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    /// <summary>Parses UTF-8 JSON text. The returned envelope points into <paramref name="document"/>; keep it alive.</summary>
    public static Envelope Parse(ReadOnlyMemory<byte> utf8Json, out JsonDocument document)
    {
        if (utf8Json.IsEmpty)
            throw RequestError.BadRequest(ErrorCodes.EmptyBody,
                "The request body is empty. Send a JSON object such as {\"model\":\"echo\",\"data\":\"hi\"}.");
        // The JSON reader lets bad bytes inside strings through; reading such a name or value later throws.
        if (!Utf8.IsValid(utf8Json.Span))
            throw RequestError.BadRequest(ErrorCodes.MalformedJson,
                "The request body is not valid UTF-8 text. Send the JSON encoded as UTF-8.");
        try
        {
            document = JsonDocument.Parse(utf8Json, Strict);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw Explain(utf8Json, ex);
        }
        try
        {
            return Parse(document.RootElement);
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    public static Envelope Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw RequestError.BadRequest(ErrorCodes.EnvelopeNotObject,
                $"The request body must be a JSON object like {{\"model\":\"echo\",\"data\":\"hi\"}}, not {Describe(root.ValueKind)}.");

        if (MayHoldLoneSurrogate(JsonMarshal.GetRawUtf8Value(root)))
            RejectLoneSurrogates(root, "");

        Dictionary<string, string[]>? errors = null;
        string? model = null;
        string? action = null;
        JsonElement context = default, data = default, id = default;

        // Names compared as UTF-8 (JsonProperty.Name would allocate a string per property), each value read once.
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            if (property.NameEquals("model"u8))
            {
                if (value.ValueKind == JsonValueKind.String && value.GetString() is { } name && !string.IsNullOrWhiteSpace(name))
                    model = name;
                else
                    AddError(ref errors, "model", $"must be a non-empty string naming a model, not {Describe(value.ValueKind)}.");
            }
            else if (property.NameEquals("action"u8))
            {
                if (value.ValueKind == JsonValueKind.String && value.GetString() is { } name && !string.IsNullOrWhiteSpace(name))
                    action = name;
                else if (value.ValueKind != JsonValueKind.Null)
                    AddError(ref errors, "action", $"must be a string naming one of the model's actions, not {Describe(value.ValueKind)}.");
            }
            else if (property.NameEquals("context"u8))
            {
                if (value.ValueKind is JsonValueKind.String or JsonValueKind.Object or JsonValueKind.Null)
                    context = value;
                else
                    AddError(ref errors, "context", $"must be a string (\"user\") or an object ({{\"user\":\"ana\",\"room\":\"lobby\"}}), not {Describe(value.ValueKind)}.");
            }
            else if (property.NameEquals("data"u8))
            {
                data = value;
            }
            else if (property.NameEquals("id"u8))
            {
                if (value.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                    id = value;
                else if (value.ValueKind != JsonValueKind.Null)
                    AddError(ref errors, "id", $"must be a string or a number, not {Describe(value.ValueKind)}.");
            }
        }

        if (errors is not null)
            throw new RequestError(StatusCodes.Status400BadRequest, ErrorCodes.InvalidEnvelope,
                "The envelope has fields of the wrong type: " + string.Join(" ", errors.Select(e => $"'{e.Key}' {e.Value[0]}")))
            {
                Errors = errors,
            };

        // Without a model the whole body is the seed's shape for echo; its "action" is payload, not routing.
        return model is null
            ? new Envelope(DefaultModel, null, EnvelopeContext.From(context), data, root) { Id = id }
            : new Envelope(model, action, EnvelopeContext.From(context), data, root) { Id = id };
    }

    /// <summary>
    /// An envelope a door addresses itself (an MCP tool names the model and action): <paramref name="context"/> and
    /// <paramref name="data"/> (<see cref="JsonValueKind.Undefined"/> when absent) are checked as <see cref="Parse(JsonElement)"/> checks them.
    /// </summary>
    public static Envelope FromParts(string model, string? action, JsonElement context, JsonElement data)
    {
        if (context.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.String or JsonValueKind.Object or JsonValueKind.Null))
        {
            var message = $"must be a string (\"user\") or an object ({{\"user\":\"ana\",\"room\":\"lobby\"}}), not {Describe(context.ValueKind)}.";
            throw new RequestError(StatusCodes.Status400BadRequest, ErrorCodes.InvalidEnvelope, $"The envelope has fields of the wrong type: 'context' {message}")
            {
                Errors = new Dictionary<string, string[]> { ["context"] = [message] },
            };
        }
        foreach (var (name, part) in new[] { ("context", context), ("data", data) })
        {
            if (part.ValueKind is not (JsonValueKind.String or JsonValueKind.Object or JsonValueKind.Array))
                continue;
            // The part sits one level inside the envelope it stands for.
            if (DepthOf(part) >= MaxDepth)
                throw TooDeep();
            if (FindDuplicate(part, name) is { } duplicate)
                throw Duplicate(duplicate);
            if (MayHoldLoneSurrogate(JsonMarshal.GetRawUtf8Value(part)))
                RejectLoneSurrogates(part, name);
        }
        return new Envelope(model, action, EnvelopeContext.From(context), data);
    }

    /// <summary>The <c>id</c> of a request that could not be parsed as an envelope, when it has a valid one.</summary>
    public static JsonElement? TryReadId(ReadOnlyMemory<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json.Span, new JsonReaderOptions { MaxDepth = MaxDepth });
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("id", out var id)
                && (id.ValueKind is JsonValueKind.Number || id.ValueKind is JsonValueKind.String && id.GetString() is not null)
                ? id.Clone()
                : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or a property name that is no text (a lone surrogate): there is no id to repeat.
            return null;
        }
    }

    /// <summary>True when the JSON text has a <c>\uD800</c>–<c>\uDFFF</c> escape; only then are strings checked one by one.</summary>
    internal static bool MayHoldLoneSurrogate(ReadOnlySpan<byte> json)
    {
        int at;
        while ((at = json.IndexOf("\\u"u8)) >= 0 && at + 3 < json.Length)
        {
            byte first = (byte)(json[at + 2] | 0x20), second = (byte)(json[at + 3] | 0x20);
            if (first == 'd' && (second is (byte)'8' or (byte)'9' || second is >= (byte)'a' and <= (byte)'f'))
                return true;
            json = json[(at + 2)..];
        }
        return false;
    }

    /// <summary>JSON allows <c>"\ud800"</c>, but such a string is no text: refuse it here rather than fail later.</summary>
    internal static void RejectLoneSurrogates(JsonElement element, string path)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    element.GetString();
                    break;
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var item in element.EnumerateArray())
                        RejectLoneSurrogates(item, $"{path}[{index++}]");
                    break;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                        RejectLoneSurrogates(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}");
                    break;
            }
        }
        catch (InvalidOperationException)
        {
            var where = path.Length == 0 ? "A property name" : $"'{path}'";
            throw RequestError.BadRequest(ErrorCodes.MalformedJson,
                $"{where} holds an invalid \\u escape: a lone UTF-16 surrogate (\\ud800–\\udfff must come in high/low pairs). Send valid Unicode text.");
        }
    }

    /// <summary>Why a body the strict parse refused is wrong: too deep, a duplicate property, a lone surrogate, or plain bad JSON.</summary>
    private static RequestError Explain(ReadOnlyMemory<byte> utf8Json, Exception failure)
    {
        if (ExceedsMaxDepth(utf8Json.Span))
            return TooDeep();
        JsonDocument lenient;
        try
        {
            lenient = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, position {ex.BytePositionInLine + 1}" : "";
            return RequestError.BadRequest(ErrorCodes.MalformedJson,
                $"The request body is not valid JSON{where}. Check quotes, commas and brackets.");
        }
        using (lenient)
        {
            // Comparing names unescapes them: a lone surrogate in a name fails there.
            try
            {
                RejectLoneSurrogates(lenient.RootElement, "");
            }
            catch (RequestError error)
            {
                return error;
            }
            if (FindDuplicate(lenient.RootElement, "") is { } duplicate)
                return Duplicate(duplicate);
        }
        return RequestError.BadRequest(ErrorCodes.MalformedJson, $"The request body could not be read as JSON: {failure.Message}");
    }

    /// <summary>True when the JSON text opens more than <see cref="MaxDepth"/> nested objects or arrays.</summary>
    private static bool ExceedsMaxDepth(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth + 1 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= MaxDepth)
                    return true;
            }
        }
        catch (JsonException)
        {
        }
        return false;
    }

    private static RequestError TooDeep() =>
        RequestError.BadRequest(ErrorCodes.NestingTooDeep,
            $"The envelope nests objects and arrays more than {MaxDepth} levels deep (the envelope itself is the first level). Send flatter data.");

    private static RequestError Duplicate(string path) =>
        new(StatusCodes.Status400BadRequest, ErrorCodes.DuplicateProperty,
            $"The property '{path}' appears more than once in the same object. Send each property once.")
        {
            Errors = new Dictionary<string, string[]> { [path] = ["appears more than once in the same object."] },
        };

    /// <summary>Nesting depth of a value: 0 for a scalar, 1 for a flat object or array.</summary>
    internal static int DepthOf(JsonElement element)
    {
        var deepest = 0;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                    deepest = Math.Max(deepest, DepthOf(property.Value));
                return deepest + 1;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    deepest = Math.Max(deepest, DepthOf(item));
                return deepest + 1;
            default:
                return 0;
        }
    }

    /// <summary>The path of the first property named twice in one object (<c>data.a[0].b</c>), or null.</summary>
    internal static string? FindDuplicate(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                HashSet<string>? seen = null;
                foreach (var property in element.EnumerateObject())
                {
                    var child = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    if (!(seen ??= new(StringComparer.Ordinal)).Add(property.Name))
                        return child;
                    if (FindDuplicate(property.Value, child) is { } found)
                        return found;
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindDuplicate(item, $"{path}[{index++}]") is { } found)
                        return found;
                }
                return null;
            default:
                return null;
        }
    }

    private static void AddError(ref Dictionary<string, string[]>? errors, string field, string message) =>
        (errors ??= [])[field] = [message];

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
