using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;

namespace McpApi.Tests.Infrastructure;

/// <summary>
/// One generated JSON-RPC message for an MCP door: its bytes, and when it is a request that must be answered (a JSON
/// object with <c>"jsonrpc":"2.0"</c>, a string <c>method</c> and a string or integer <c>id</c>), that id.
/// </summary>
internal sealed record JsonRpcCase(byte[] Bytes, string Kind, string? Id, string? Method)
{
    /// <summary>True for a request whose method no MCP server has: it must get a JSON-RPC error.</summary>
    public bool UnknownMethod => Id is not null && Method is not null && !HostileJsonRpc.KnownMethods.Contains(Method);

    public override string ToString()
    {
        var text = Encoding.UTF8.GetString(Bytes);
        return $"{Kind} (id {Id ?? "none"}): {(text.Length > 300 ? text[..300] + $"... ({Bytes.Length} bytes)" : text)}";
    }
}

/// <summary>
/// FsCheck generators of hostile and near-valid JSON-RPC for the MCP doors (Streamable HTTP and stdio): valid requests
/// of every kind McpApi serves, then wrong types for <c>jsonrpc</c>, <c>id</c>, <c>method</c> and <c>params</c>,
/// unknown methods, notifications and stray responses, batches, duplicate keys, lone surrogates and bytes that are not
/// UTF-8, nesting around the parser's depth, huge numbers, NUL/CR and cut messages (the values come from
/// <see cref="HostileEnvelopes"/>).
/// </summary>
internal static class HostileJsonRpc
{
    public static readonly HashSet<string> KnownMethods =
    [
        "initialize", "ping", "tools/list", "tools/call", "resources/list", "resources/read", "resources/templates/list",
        "resources/subscribe", "resources/unsubscribe", "prompts/list", "prompts/get", "completion/complete", "logging/setLevel",
        "notifications/initialized", "notifications/cancelled", "notifications/roots/list_changed", "notifications/progress",
    ];

    private static readonly string[] Methods =
    [
        .. KnownMethods, "tools/call", "tools/call", "resources/read", "prompts/get",
        "unknown/method", "", "TOOLS/LIST", "tools/list ", "rpc.discover", "tasks/get", "\\u0000", "\\ud800",
    ];

    private static readonly string[] ToolNames =
        ["echo_echo", "notes_add", "notes_list", "chat_send", "chat_history", "state_set", "state_get", "move_new", "move_play", "add_note", "read_notes", "nope", "", "echo_echo\\u0000"];

    private static readonly string[] Uris =
        ["notes://latest", "notes://pb/latest", "state://pb/k1", "chat://rooms", "chat://pb/history", "chat://\\ud800/history", "file:///etc/passwd", "", "nope://x", "state://../../k"];

    /// <summary>A request id as JSON text, or null for none (a notification); only strings and integers are valid.</summary>
    private static Gen<string?> Id() =>
        Gen.Frequency(
            (6, Gen.Choose(1, 1_000_000).Select(n => (string?)n.ToString())),
            (3, Gen.Choose(1, 1_000_000).Select(n => (string?)$"\"r{n}\"")),
            (1, Gen.Constant<string?>(null)),
            (1, Gen.Elements<string?>("null", "{}", "[]", "1.5", "1e400", "true", "\"\"", "-1", "9223372036854775808", "\"\\ud800\"")));

    private static Gen<string> Arguments() =>
        Gen.OneOf(
            Gen.Elements("{\"context\":\"ana\",\"data\":\"hi\"}", "{\"data\":{\"key\":\"k\",\"value\":1},\"context\":{\"namespace\":\"pb-mcp\"}}",
                "{\"message\":\"a note\"}", "{\"context\":{\"room\":\"pb\",\"user\":\"ana\"},\"data\":\"hi\"}", "{}", "null", "[]"),
            from context in HostileEnvelopes.JsonValue(2)
            from data in Gen.Frequency((5, HostileEnvelopes.JsonValue(3)), (1, HostileEnvelopes.DeepValue()))
            select $"{{\"context\":{context},\"data\":{data}}}");

    /// <summary>Params for <paramref name="method"/>: usually the right shape with hostile values, sometimes anything.</summary>
    private static Gen<string?> Params(string method)
    {
        Gen<string?> shaped = method switch
        {
            "initialize" => from version in Gen.Elements("\"2025-11-25\"", "\"2025-06-18\"", "\"1999-01-01\"", "1", "null", "\"\\ud800\"")
                            from caps in Gen.OneOf(Gen.Constant("{}"), HostileEnvelopes.JsonValue(2))
                            from info in Gen.OneOf(Gen.Constant("{\"name\":\"pb\",\"version\":\"1\"}"), HostileEnvelopes.JsonValue(2))
                            select (string?)$"{{\"protocolVersion\":{version},\"capabilities\":{caps},\"clientInfo\":{info}}}",
            "tools/call" => from name in Gen.OneOf(Gen.Elements(ToolNames).Select(n => $"\"{n}\""), HostileEnvelopes.JsonScalar())
                            from arguments in Arguments()
                            select (string?)$"{{\"name\":{name},\"arguments\":{arguments}}}",
            "resources/read" or "resources/subscribe" or "resources/unsubscribe" =>
                Gen.OneOf(Gen.Elements(Uris).Select(u => $"\"{u}\""), HostileEnvelopes.JsonScalar()).Select(uri => (string?)$"{{\"uri\":{uri}}}"),
            "prompts/get" => from name in Gen.Elements("\"note_summary_prompt\"", "\"nope\"", "1", "null")
                             from arguments in Gen.OneOf(Gen.Constant("{\"notebook\":\"pb\"}"), HostileEnvelopes.JsonValue(2))
                             select (string?)$"{{\"name\":{name},\"arguments\":{arguments}}}",
            "logging/setLevel" => Gen.Elements("\"debug\"", "\"info\"", "\"nope\"", "1", "null").Select(level => (string?)$"{{\"level\":{level}}}"),
            "notifications/cancelled" => HostileEnvelopes.JsonScalar().Select(id => (string?)$"{{\"requestId\":{id},\"reason\":\"pb\"}}"),
            "completion/complete" => HostileEnvelopes.JsonValue(2).Select(v => (string?)$"{{\"ref\":{{\"type\":\"ref/prompt\",\"name\":\"note_summary_prompt\"}},\"argument\":{{\"name\":\"notebook\",\"value\":{v}}}}}"),
            _ => Gen.Constant<string?>(null),
        };
        return Gen.Frequency(
            (6, shaped),
            (1, Gen.Constant<string?>(null)),
            (2, HostileEnvelopes.JsonValue(3).Select(v => (string?)v)));
    }

    /// <summary>A JSON-RPC message with some fields wrong or left out, rarely a stray response.</summary>
    private static Gen<(string Json, string? Id, string? Method)> Message() =>
        from method in Gen.Elements(Methods)
        from id in Id()
        from parameters in Params(method)
        from version in Gen.Frequency((12, Gen.Constant<string?>("\"2.0\"")), (1, Gen.Elements<string?>(null, "\"1.0\"", "2", "null", "\"2.0 \"")))
        from response in Gen.Frequency((20, Gen.Constant(false)), (1, Gen.Constant(true)))
        select response
            ? ($"{{\"jsonrpc\":\"2.0\",\"id\":{id ?? "1"},\"result\":{parameters ?? "{}"}}}", (string?)null, (string?)null)
            : (("{" + string.Join(",", new[]
            {
                version is null ? null : $"\"jsonrpc\":{version}",
                id is null ? null : $"\"id\":{id}",
                $"\"method\":\"{method}\"",
                parameters is null ? null : $"\"params\":{parameters}",
            }.Where(f => f is not null)) + "}"), AnsweredId(version, id, method), (string?)method);

    /// <summary>The id a request must be answered with: only for <c>"jsonrpc":"2.0"</c>, a string or integer id and a plain method name.</summary>
    private static string? AnsweredId(string? version, string? id, string method)
    {
        if (version != "\"2.0\"" || id is null || method.Contains('\\'))
            return null;
        using var parsed = JsonDocument.Parse(id);
        return parsed.RootElement.ValueKind switch
        {
            JsonValueKind.String when !id.Contains('\\') => parsed.RootElement.GetString(),
            JsonValueKind.Number when parsed.RootElement.TryGetInt64(out var n) && n >= 0 => n.ToString(),
            _ => null,
        };
    }

    /// <summary>A mutation of the message's bytes; mutated messages need no answer (they may no longer be requests).</summary>
    private static Gen<JsonRpcCase> Mutate((string Json, string? Id, string? Method) message)
    {
        var (json, id, method) = message;
        var bytes = Encoding.UTF8.GetBytes(json);
        return Gen.Frequency(
            (8, Gen.Constant(new JsonRpcCase(bytes, "near-valid", id, method))),
            (1, Gen.Elements("jsonrpc", "id", "method", "params").Select(name =>
                new JsonRpcCase(Encoding.UTF8.GetBytes("{" + $"\"{name}\":1,\"{name}\":2," + json[1..]), "duplicate-key", null, null))),
            (1, Gen.Choose(0, bytes.Length - 1).SelectMany(at => Gen.Elements<byte[]>([0xC3], [0xFF], [0xED, 0xA0, 0x80], [0xF8, 0x88], [0x80]).Select(bad =>
                new JsonRpcCase([.. bytes[..at], .. bad, .. bytes[at..]], "invalid-utf8", null, null)))),
            (1, Gen.Choose(1, Math.Max(1, bytes.Length - 1)).Select(cut => new JsonRpcCase(bytes[..cut], "cut", null, null))),
            (1, Gen.Choose(0, json.Length - 1).SelectMany(at => Gen.Elements('\0', '\r', '\u0001', '\u007f', '\t').Select(c =>
                new JsonRpcCase(Encoding.UTF8.GetBytes(json[..at] + c + json[at..]), "control-character", null, null)))));
    }

    /// <summary>Not one JSON-RPC object: batches, other JSON values, nothing JSON at all.</summary>
    private static Gen<JsonRpcCase> NotAnObject() =>
        Gen.OneOf(
            Gen.Zip(Message(), Message()).Select(pair => new JsonRpcCase(Encoding.UTF8.GetBytes($"[{pair.Item1.Json},{pair.Item2.Json}]"), "batch", null, null)),
            Gen.Elements("[]", "{}", "1", "\"x\"", "null", "true", "[1,2]", "{\"jsonrpc\":\"2.0\"}", "x", "{\"", "}{", "\\", "GET / HTTP/1.1")
                .Select(text => new JsonRpcCase(Encoding.UTF8.GetBytes(text), "not-an-object", null, null)),
            HostileEnvelopes.JsonValue(3).Select(text => new JsonRpcCase(Encoding.UTF8.GetBytes(text), "not-an-object", null, null)));

    /// <summary>One line for stdio: no line feed inside, and not blank (a blank line is no message).</summary>
    public static JsonRpcCase ForStdio(JsonRpcCase c)
    {
        byte[] line = [.. c.Bytes.Where(b => b is not (byte)'\n' and not (byte)'\r')];
        if (line.All(b => b is (byte)' ' or (byte)'\t'))
            line = [.. line, (byte)'x'];
        return line.Length == c.Bytes.Length ? c : new JsonRpcCase(line, c.Kind, null, null);
    }

    public static Arbitrary<JsonRpcCase> For(string door) =>
        Gen.Frequency(
                (9, Message().SelectMany(Mutate)),
                (1, NotAnObject()))
            .Select(c => door == "stdio" ? ForStdio(c) : c)
            .ToArbitrary();
}
