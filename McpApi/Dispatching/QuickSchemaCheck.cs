using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpApi.Dispatching;

/// <summary>What <see cref="QuickSchemaCheck"/> could tell about an instance.</summary>
internal enum SchemaVerdict
{
    /// <summary>Not sure: ask the full JSON Schema evaluator.</summary>
    Unknown,
    Valid,
    Invalid,
}

/// <summary>
/// A quick first look at <c>data</c> for the plain keywords the generated contracts use (<c>type</c>,
/// <c>properties</c>, <c>additionalProperties</c>, <c>required</c>, <c>minLength</c>/<c>maxLength</c> on ASCII text,
/// <c>minimum</c>/<c>maximum</c>, <c>oneOf</c>/<c>anyOf</c>/<c>allOf</c>), compiled once per action. It answers
/// <see cref="SchemaVerdict.Valid"/> or <see cref="SchemaVerdict.Invalid"/> only when it is sure, and
/// <see cref="SchemaVerdict.Unknown"/> for any keyword or value it does not handle exactly (e.g. <c>pattern</c>,
/// <c>enum</c>, non-ASCII lengths, fractional or huge numbers where an integer is asked for). <see cref="DataValidator"/>
/// skips the full evaluation (tens of microseconds and about 5 KB per request, the largest cost of a write request
/// beyond the echo envelope's in the storage benchmark's profile) only on <see cref="SchemaVerdict.Valid"/>;
/// everything else still gets the full evaluation, which also words the field errors.
/// </summary>
internal sealed class QuickSchemaCheck
{
    private static readonly HashSet<string> Annotations =
        ["description", "default", "title", "examples", "$comment", "readOnly", "writeOnly", "deprecated"];

    [Flags]
    private enum Kinds
    {
        Null = 1,
        Boolean = 2,
        Object = 4,
        Array = 8,
        String = 16,
        Number = 32,
        Integer = 64,
        Any = Null | Boolean | Object | Array | String | Number | Integer,
    }

    private bool? _constant;
    private bool _opaque;
    private Kinds _types = Kinds.Any;
    private Dictionary<string, QuickSchemaCheck>? _properties;
    private QuickSchemaCheck? _additional;
    private string[] _required = [];
    private int? _minLength, _maxLength;
    private decimal? _minimum, _maximum, _exclusiveMinimum, _exclusiveMaximum;
    private QuickSchemaCheck[]? _oneOf, _anyOf, _allOf;

    private QuickSchemaCheck(JsonNode? schema)
    {
        if (schema is JsonValue value && value.TryGetValue<bool>(out var constant))
            _constant = constant;
        else if (schema is JsonObject keywords)
            _opaque = !keywords.All(k => Read(k.Key, k.Value));
        else
            _opaque = true;
    }

    /// <summary>Compiles a JSON Schema (an object or <c>true</c>/<c>false</c>) once.</summary>
    public static QuickSchemaCheck Compile(JsonNode? schema) => new(schema);

    /// <summary>Takes one keyword; false for a keyword, or a form of it, that this check does not handle exactly.</summary>
    private bool Read(string keyword, JsonNode? node)
    {
        if (Annotations.Contains(keyword))
            return true;
        switch (keyword)
        {
            case "type":
                return ReadTypes(node);
            case "properties" when node is JsonObject properties:
                _properties = new(StringComparer.Ordinal);
                foreach (var (name, property) in properties)
                    _properties[name] = new QuickSchemaCheck(property);
                return true;
            case "additionalProperties":
                _additional = new QuickSchemaCheck(node);
                return true;
            case "required" when node is JsonArray names && names.All(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String):
                _required = [.. names.Select(n => n!.GetValue<string>())];
                return true;
            case "minLength":
                return TryCount(node, out _minLength);
            case "maxLength":
                return TryCount(node, out _maxLength);
            case "minimum":
                return TryBound(node, out _minimum);
            case "maximum":
                return TryBound(node, out _maximum);
            case "exclusiveMinimum":
                return TryBound(node, out _exclusiveMinimum);
            case "exclusiveMaximum":
                return TryBound(node, out _exclusiveMaximum);
            case "oneOf" when node is JsonArray { Count: > 0 } schemas:
                _oneOf = [.. schemas.Select(s => new QuickSchemaCheck(s))];
                return true;
            case "anyOf" when node is JsonArray { Count: > 0 } schemas:
                _anyOf = [.. schemas.Select(s => new QuickSchemaCheck(s))];
                return true;
            case "allOf" when node is JsonArray { Count: > 0 } schemas:
                _allOf = [.. schemas.Select(s => new QuickSchemaCheck(s))];
                return true;
            default:
                return false;
        }
    }

    private bool ReadTypes(JsonNode? node)
    {
        JsonNode?[] names = node is JsonArray array ? [.. array] : [node];
        _types = default;
        foreach (var name in names)
        {
            if (name is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
                return false;
            Kinds? kind = v.GetValue<string>() switch
            {
                "null" => Kinds.Null,
                "boolean" => Kinds.Boolean,
                "object" => Kinds.Object,
                "array" => Kinds.Array,
                "string" => Kinds.String,
                "number" => Kinds.Number | Kinds.Integer,
                "integer" => Kinds.Integer,
                _ => null,
            };
            if (kind is null)
                return false;
            _types |= kind.Value;
        }
        return _types != 0;
    }

    private static bool TryCount(JsonNode? node, out int? count)
    {
        count = TryBound(node, out var n) && n is >= 0 and <= int.MaxValue && n == decimal.Truncate(n.Value) ? (int)n.Value : null;
        return count is not null;
    }

    /// <summary>A number keyword's value, whatever the node holds it as (a generated schema holds ints, a parsed one JSON text).</summary>
    private static bool TryBound(JsonNode? node, out decimal? bound)
    {
        bound = node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            && decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
        return bound is not null;
    }

    public SchemaVerdict Check(JsonElement instance)
    {
        if (_constant is { } constant)
            return constant ? SchemaVerdict.Valid : SchemaVerdict.Invalid;
        // A number the evaluator cannot read (it reads numbers as decimal) is its to answer, with its own message.
        if (_opaque || instance.ValueKind == JsonValueKind.Number && !instance.TryGetDecimal(out _))
            return SchemaVerdict.Unknown;

        var verdict = CheckType(instance);
        if (verdict == SchemaVerdict.Invalid)
            return verdict;
        switch (instance.ValueKind)
        {
            case JsonValueKind.String:
                verdict = And(verdict, CheckLength(instance));
                break;
            case JsonValueKind.Number:
                verdict = And(verdict, CheckBounds(instance));
                break;
            case JsonValueKind.Object:
                verdict = And(verdict, CheckObject(instance));
                break;
        }
        if (verdict == SchemaVerdict.Invalid)
            return verdict;
        if (_allOf is not null)
        {
            foreach (var schema in _allOf)
                verdict = And(verdict, schema.Check(instance));
        }
        if (_anyOf is not null)
            verdict = And(verdict, AnyOf(_anyOf, instance));
        if (_oneOf is not null)
            verdict = And(verdict, OneOf(_oneOf, instance));
        return verdict;
    }

    /// <summary>Both must hold: one sure failure decides; otherwise any doubt is doubt.</summary>
    private static SchemaVerdict And(SchemaVerdict a, SchemaVerdict b) =>
        a == SchemaVerdict.Invalid || b == SchemaVerdict.Invalid ? SchemaVerdict.Invalid
        : a == SchemaVerdict.Unknown || b == SchemaVerdict.Unknown ? SchemaVerdict.Unknown
        : SchemaVerdict.Valid;

    private static SchemaVerdict AnyOf(QuickSchemaCheck[] schemas, JsonElement instance)
    {
        var verdict = SchemaVerdict.Invalid;
        foreach (var schema in schemas)
        {
            var one = schema.Check(instance);
            if (one == SchemaVerdict.Valid)
                return one;
            if (one == SchemaVerdict.Unknown)
                verdict = one;
        }
        return verdict;
    }

    private static SchemaVerdict OneOf(QuickSchemaCheck[] schemas, JsonElement instance)
    {
        var valid = 0;
        foreach (var schema in schemas)
        {
            switch (schema.Check(instance))
            {
                case SchemaVerdict.Unknown:
                    return SchemaVerdict.Unknown;
                case SchemaVerdict.Valid:
                    valid++;
                    break;
            }
        }
        return valid == 1 ? SchemaVerdict.Valid : SchemaVerdict.Invalid;
    }

    private SchemaVerdict CheckType(JsonElement instance)
    {
        if (_types == Kinds.Any)
            return SchemaVerdict.Valid;
        var kind = instance.ValueKind switch
        {
            JsonValueKind.Null => Kinds.Null,
            JsonValueKind.True or JsonValueKind.False => Kinds.Boolean,
            JsonValueKind.Object => Kinds.Object,
            JsonValueKind.Array => Kinds.Array,
            JsonValueKind.String => Kinds.String,
            JsonValueKind.Number => Kinds.Number,
            _ => (Kinds)0,
        };
        if ((_types & kind) != 0)
            return SchemaVerdict.Valid;
        if (kind != Kinds.Number || (_types & Kinds.Integer) == 0)
            return SchemaVerdict.Invalid;
        // Only "integer" is allowed: a plain integer literal is one for every evaluator; 1.0, 1e2 or a huge number
        // is left to the full evaluation.
        return instance.TryGetInt64(out _) ? SchemaVerdict.Valid : SchemaVerdict.Unknown;
    }

    private SchemaVerdict CheckLength(JsonElement instance)
    {
        if (_minLength is null && _maxLength is null)
            return SchemaVerdict.Valid;
        var text = instance.GetString()!;
        // Lengths count characters as the evaluator does only for ASCII without "\r\n" (one text element).
        if (!System.Text.Ascii.IsValid(text) || text.Contains("\r\n", StringComparison.Ordinal))
            return SchemaVerdict.Unknown;
        return text.Length >= (_minLength ?? 0) && text.Length <= (_maxLength ?? int.MaxValue) ? SchemaVerdict.Valid : SchemaVerdict.Invalid;
    }

    private SchemaVerdict CheckBounds(JsonElement instance)
    {
        if (_minimum is null && _maximum is null && _exclusiveMinimum is null && _exclusiveMaximum is null)
            return SchemaVerdict.Valid;
        if (!instance.TryGetDecimal(out var value))
            return SchemaVerdict.Unknown;
        return (_minimum is null || value >= _minimum) && (_maximum is null || value <= _maximum)
            && (_exclusiveMinimum is null || value > _exclusiveMinimum) && (_exclusiveMaximum is null || value < _exclusiveMaximum)
            ? SchemaVerdict.Valid : SchemaVerdict.Invalid;
    }

    private SchemaVerdict CheckObject(JsonElement instance)
    {
        var verdict = SchemaVerdict.Valid;
        foreach (var name in _required)
        {
            if (!instance.TryGetProperty(name, out _))
                return SchemaVerdict.Invalid;
        }
        foreach (var property in instance.EnumerateObject())
        {
            var schema = _properties is not null && _properties.TryGetValue(property.Name, out var declared) ? declared : _additional;
            if (schema is null)
                continue;
            verdict = And(verdict, schema.Check(property.Value));
            if (verdict == SchemaVerdict.Invalid)
                return verdict;
        }
        return verdict;
    }
}
