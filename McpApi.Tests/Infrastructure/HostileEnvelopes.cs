using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace McpApi.Tests.Infrastructure;

/// <summary>One generated message: its bytes, and when it is a clean state write, the key and value it writes.</summary>
internal sealed record HostileCase(byte[] Bytes, string Kind, string? WriteKey = null, string? WriteValue = null)
{
    public override string ToString()
    {
        var text = Encoding.UTF8.GetString(Bytes);
        return $"{Kind}: {(text.Length > 300 ? text[..300] + $"... ({Bytes.Length} bytes)" : text)}";
    }
}

/// <summary>
/// FsCheck generators of hostile and near-valid envelopes: valid envelopes of every model, then wrong types, duplicate
/// keys, lone surrogates and invalid UTF-8 in names and values, nesting around <see cref="McpApi.Envelopes.EnvelopeParser.MaxDepth"/>,
/// huge numbers, NUL/CR/LF in strings and sizes around the message limit.
/// </summary>
internal static class HostileEnvelopes
{
    private static readonly string[] Models = ["echo", "notes", "chat", "state", "move", "subscribe", "nope", "", "ECHO"];

    private static readonly string[] Actions = ["add", "list", "latest", "delete", "send", "history", "rooms", "get", "set", "new", "join", "play", "remove", "x", ""];

    private static readonly string[] HostileStrings =
    [
        "", " ", "lobby\\n", "\\u0000", "a\\r\\nb", "\\ud800", "\\udc00\\ud800", "\\ud83d\\ude00", "é", "../../etc/passwd", "%00", "' OR 1=1 --",
        "\\u2028", "\\t", "\\\\", "\\\"", "\\u001b[31m", "x\\u0000y",
    ];

    private static readonly string[] HugeNumbers =
        ["1e400", "-1e400", "1e-400", "123456789012345678901234567890", "-0", "9223372036854775808", "-9223372036854775809", "18446744073709551616", "0.0000000000000000000000000001", "1.5", "1E+2"];

    public static Gen<string> JsonString() =>
        Gen.OneOf(
            Gen.Elements(HostileStrings),
            Gen.Elements("abcdefghij_.- ".ToCharArray()).ArrayOf().Select(chars => new string(chars)))
        .Select(s => $"\"{s}\"");

    public static Gen<string> JsonScalar() =>
        Gen.OneOf(
            JsonString(),
            Gen.Elements(HugeNumbers),
            Gen.Choose(-5, 12).Select(n => n.ToString()),
            Gen.Elements("true", "false", "null"));

    /// <summary>Any JSON value, nested at most <paramref name="depth"/> levels.</summary>
    public static Gen<string> JsonValue(int depth) =>
        depth <= 0
            ? JsonScalar()
            : Gen.Frequency(
                (4, JsonScalar()),
                (1, JsonValue(depth - 1).ArrayOf().Select(items => "[" + string.Join(",", items.Take(4)) + "]")),
                (1, Gen.Zip(Gen.Elements("key", "value", "text", "id", "a", "\\ud800", "user", "room"), JsonValue(depth - 1))
                    .ArrayOf().Select(pairs => "{" + string.Join(",", pairs.Take(4).Select(p => $"\"{p.Item1}\":{p.Item2}")) + "}")));

    /// <summary>Arrays nested around the depth limit: <c>[[...1...]]</c>.</summary>
    public static Gen<string> DeepValue() =>
        Gen.Choose(McpApi.Envelopes.EnvelopeParser.MaxDepth - 4, McpApi.Envelopes.EnvelopeParser.MaxDepth + 4)
            .Select(depth => new string('[', depth) + "1" + new string(']', depth));

    private static Gen<string> Context() =>
        Gen.OneOf(
            Gen.Elements("\"ana\"", "{\"user\":\"ana\",\"room\":\"pb-junk\"}", "{\"namespace\":\"pb-junk\"}", "{\"notebook\":\"pb-junk\"}",
                "{\"game\":\"pb-junk\",\"player\":\"ana\"}", "{}", "null"),
            JsonValue(2));

    /// <summary>An envelope of random model, action, context and data (some fields left out).</summary>
    private static Gen<string> NearValid(int maxBytes) =>
        from model in Gen.Elements(Models)
        from action in Gen.Elements(Actions)
        from context in Context()
        from data in Gen.Frequency((6, JsonValue(3)), (1, DeepValue()), (1, BigString(maxBytes)))
        from id in Gen.Elements("", "\"id\":\"r1\",", "\"id\":7,", "\"id\":{},", "\"id\":1e400,")
        from fields in Gen.Choose(0, 15)
        select "{" + id + string.Join(",", new[]
        {
            (fields & 1) != 0 ? $"\"model\":\"{model}\"" : null,
            (fields & 2) != 0 ? $"\"action\":\"{action}\"" : null,
            (fields & 4) != 0 ? $"\"context\":{context}" : null,
            (fields & 8) != 0 ? $"\"data\":{data}" : null,
        }.Where(f => f is not null)) + "}";

    /// <summary>A string value whose envelope is just under, at or just over <paramref name="maxBytes"/>.</summary>
    private static Gen<string> BigString(int maxBytes) =>
        Gen.Choose(-40, 40).Select(delta => "\"" + new string('x', Math.Max(0, maxBytes - 60 + delta)) + "\"");

    /// <summary>A mutation of valid JSON text: a duplicate key, a wrong type, bytes that are not UTF-8, a cut, a raw control character.</summary>
    private static Gen<byte[]> Mutate(string json) =>
        Gen.Frequency(
            (4, Gen.Constant(Encoding.UTF8.GetBytes(json))),
            (1, Gen.Elements("model", "action", "context", "data", "key").Select(name =>
                Encoding.UTF8.GetBytes(json.Length > 1 ? "{" + $"\"{name}\":1,\"{name}\":2," + json[1..] : json))),
            (1, Gen.Elements("model", "action", "context", "id").SelectMany(name => JsonValue(1).Select(value =>
                Encoding.UTF8.GetBytes(json.Length > 1 ? "{" + $"\"{name}\":{value}," + json[1..] : json)))),
            (1, Gen.Choose(0, Math.Max(0, json.Length - 1)).SelectMany(at => Gen.Elements<byte[]>([0xC3], [0xFF], [0xED, 0xA0, 0x80], [0xF8, 0x88], [0x80]).Select(bad =>
            {
                var bytes = Encoding.UTF8.GetBytes(json);
                at = Math.Min(at, bytes.Length);
                byte[] spliced = [.. bytes[..at], .. bad, .. bytes[at..]];
                return spliced;
            }))),
            (1, Gen.Choose(0, Math.Max(0, json.Length - 1)).Select(cut => Encoding.UTF8.GetBytes(json[..cut]))),
            (1, Gen.Choose(0, Math.Max(0, json.Length - 1)).SelectMany(at => Gen.Elements('\0', '\r', '\u0001', '\u007f', '\t').Select(c =>
                Encoding.UTF8.GetBytes(json[..at] + c + json[at..])))));

    /// <summary>A clean write to the door's own namespace, tracked to check that what was acknowledged is stored.</summary>
    private static Gen<HostileCase> CleanWrite(string ns) =>
        from key in Gen.Choose(0, 9)
        from value in JsonValue(3).Where(IsCleanValue)
        select new HostileCase(
            Encoding.UTF8.GetBytes($"{{\"model\":\"state\",\"action\":\"set\",\"context\":{{\"namespace\":\"{ns}\"}},\"data\":{{\"key\":\"k{key}\",\"value\":{value}}}}}"),
            "clean-write", $"k{key}", value);

    /// <summary>A value a clean write stores as it is: no lone surrogate, no duplicate key, no number beyond a double.</summary>
    private static bool IsCleanValue(string json)
    {
        if (json.Contains("\\ud8", StringComparison.Ordinal) || json.Contains("\\udc", StringComparison.Ordinal) || json.Contains("e400", StringComparison.Ordinal) || json.Contains("e-400", StringComparison.Ordinal))
            return false;
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json, new System.Text.Json.JsonDocumentOptions { AllowDuplicateProperties = false });
            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>One TCP line: no line feed inside, and not blank (the door ignores blank lines, so nothing would answer).</summary>
    private static byte[] ForTcp(byte[] bytes)
    {
        byte[] line = [.. bytes.Where(b => b != (byte)'\n')];
        return line.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r') ? [.. line, (byte)'x'] : line;
    }

    /// <summary>Messages for one door. TCP frames by newline, so raw line feeds are left out of its messages.</summary>
    public static Arbitrary<HostileCase> For(string door, int maxBytes) =>
        Gen.Frequency(
                (1, CleanWrite($"pb-{door}")),
                (9, NearValid(maxBytes).SelectMany(json => Mutate(json).Select(bytes => new HostileCase(bytes, "hostile")))))
            .Select(c => door == "tcp" ? c with { Bytes = ForTcp(c.Bytes) } : c)
            .ToArbitrary();
}
