using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpApi.Doors.Mcp;

/// <summary>
/// Checks the <c>params</c> of the requests McpApi serves before the SDK reads them, on every transport (an incoming message
/// filter), so a malformed one gets JSON-RPC <c>-32602</c> naming what is wrong. The SDK 2.4 answers such requests with
/// <c>-32603 "An error occurred."</c> (its parameter deserialization fails inside the handler); this is McpApi's workaround.
/// </summary>
internal static class McpParamsCheck
{
    /// <summary>The levels <c>logging/setLevel</c> accepts (RFC 5424, as the MCP schema lists them).</summary>
    public static readonly string[] LoggingLevels = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

    public static McpMessageFilter Filter { get; } = next => async (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is not JsonRpcRequest request)
        {
            await next(context, cancellationToken);
            return;
        }
        if (Problem(request.Method, request.Params) is { } problem)
            throw new McpProtocolException($"Invalid params for {request.Method}: {problem}", McpErrorCode.InvalidParams);
        try
        {
            await next(context, cancellationToken);
        }
        catch (McpProtocolException ex) when (request.Method == "resources/read" && !ex.Data.Contains("uri") && request.Params?["uri"] is JsonValue uri
            && (ex.ErrorCode == McpErrorCode.ResourceNotFound
                || (ex.ErrorCode == McpErrorCode.InvalidParams && ex.Message.Contains(uri.GetValue<string>(), StringComparison.Ordinal))))
        {
            // A missing resource names itself in error.data.uri, as the specification shows: McpApi's -32002, and the SDK's
            // -32602 "Unknown resource URI" for a URI no template matches (2026-07-28 uses -32602 for both, SEP-2164).
            ex.Data["uri"] = uri.GetValue<string>();
            throw;
        }
    };

    /// <summary>What is wrong with <paramref name="parameters"/> for <paramref name="method"/>, or null when nothing is.</summary>
    public static string? Problem(string method, JsonNode? parameters)
    {
        if (parameters is not null and not JsonObject)
            return $"params must be an object, not {Kind(parameters)}.";
        var p = parameters as JsonObject;
        return method switch
        {
            "initialize" => Initialize(p),
            "tools/call" => RequiredString(p, "name", "the tool to call, e.g. \"echo_echo\"")
                ?? OptionalObject(p, "arguments", "the tool's arguments, e.g. {\"data\": \"hi\"}"),
            "prompts/get" => RequiredString(p, "name", "the prompt to get")
                ?? OptionalObject(p, "arguments", "the prompt's arguments as strings"),
            "resources/read" or "resources/subscribe" or "resources/unsubscribe" => RequiredString(p, "uri", "the resource's URI, e.g. \"notes://latest\""),
            "logging/setLevel" => p?["level"] is JsonValue level && level.GetValueKind() == JsonValueKind.String && LoggingLevels.Contains(level.GetValue<string>())
                ? null
                : $"'level' must be one of {string.Join(", ", LoggingLevels)}.",
            "completion/complete" => RequiredObject(p, "ref", "{\"type\": \"ref/prompt\", \"name\": ...} or {\"type\": \"ref/resource\", \"uri\": ...}")
                ?? RequiredObject(p, "argument", "{\"name\": ..., \"value\": ...}"),
            _ => null,
        };
    }

    private static string? Initialize(JsonObject? p)
    {
        if (p is null)
            return "params are required: {\"protocolVersion\": ..., \"capabilities\": {}, \"clientInfo\": {\"name\": ..., \"version\": ...}}.";
        return RequiredString(p, "protocolVersion", "the revision the client speaks, e.g. \"2025-11-25\"")
            ?? RequiredObject(p, "capabilities", "the client's capabilities, {} for none")
            ?? RequiredObject(p, "clientInfo", "{\"name\": ..., \"version\": ...}")
            ?? RequiredString((JsonObject)p["clientInfo"]!, "name", "the client's name", "clientInfo.name")
            ?? RequiredString((JsonObject)p["clientInfo"]!, "version", "the client's version as a string, e.g. \"1.0.0\"", "clientInfo.version");
    }

    private static string? RequiredString(JsonObject? p, string name, string what, string? path = null) =>
        p?[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Length > 0
            ? null
            : $"'{path ?? name}' is required: {what}" + (p?[name] is { } other ? $" (got {Kind(other)})." : ".");

    private static string? RequiredObject(JsonObject? p, string name, string what) =>
        p?[name] is JsonObject ? null : $"'{name}' is required: {what}" + (p?[name] is { } other ? $" (got {Kind(other)})." : ".");

    private static string? OptionalObject(JsonObject? p, string name, string what) =>
        p?[name] is null or JsonObject ? null : $"'{name}' must be an object: {what} (got {Kind(p[name]!)}).";

    private static string Kind(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
