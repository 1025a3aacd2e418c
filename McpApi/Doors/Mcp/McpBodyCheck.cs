using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using McpApi.Dispatching;
using McpApi.Envelopes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpApi.Doors.Mcp;

/// <summary>What is wrong with a <c>POST /mcp</c> body: the JSON-RPC error to answer, under the request's id when it has a readable one.</summary>
internal sealed record McpBodyProblem(McpErrorCode Code, string Message, RequestId Id);

/// <summary>
/// One strict parse of a <c>POST /mcp</c> body before the SDK reads it (<see cref="McpHttpChecks"/>), for what the SDK 2.4
/// answers wrongly or with HTTP 500: text that is not JSON or not UTF-8 (-32700), a batch (-32600), a property named twice in one object
/// (-32600 naming it, as the envelope door's <c>duplicate_property</c>), a lone UTF-16 surrogate escape in a name or value
/// (-32700, as the envelope door's <c>malformed_json</c>), and an <c>initialize</c> with invalid params (-32602, no session).
/// The strict parse is the only pass over a good body (the duplicate check rides along; the surrogate walk runs only when
/// a <c>\uD800</c>–<c>\uDFFF</c> escape is in the bytes at all); the slower explaining passes run only for bad ones.
/// </summary>
internal static class McpBodyCheck
{
    /// <summary>As deep as the SDK's own reader goes; tool arguments are held to the envelope's depth later.</summary>
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };
    private static readonly JsonDocumentOptions Lenient = new() { MaxDepth = MaxDepth };

    /// <summary>The problem with <paramref name="body"/>, or null when the SDK may read it.</summary>
    /// <param name="checkInitialize">Check an <c>initialize</c>'s params (false on a revision without initialize, where the SDK answers it as a removed method).</param>
    /// <param name="id">The message's id (default when it has none, or no readable one), for answers given after this check.</param>
    /// <param name="requestId">For a request other than <c>initialize</c> (a method and an id), its id as the body writes it
    /// (<see cref="McpCancelledRequests.KeyOf"/>), so a <c>notifications/cancelled</c> can end its POST; null otherwise.</param>
    public static McpBodyProblem? Inspect(ReadOnlyMemory<byte> body, bool checkInitialize, out RequestId id, out string? requestId)
    {
        id = default;
        requestId = null;
        // The JSON reader lets bad bytes inside strings through; reading such a name or value later throws.
        if (!Utf8.IsValid(body.Span))
            return new(McpErrorCode.ParseError, "The body is not valid UTF-8 text. Send the JSON-RPC message encoded as UTF-8.", default);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, Strict);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Explain(body, ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
                return new(McpErrorCode.InvalidRequest,
                    "Batches (JSON arrays) are not supported: send one JSON-RPC message per POST (MCP 2025-06-18 removed batching).", default);
            if (root.ValueKind != JsonValueKind.Object)
                return null; // the SDK answers -32600 itself
            if (LoneSurrogate(body.Span, root) is { } where)
                return new(McpErrorCode.ParseError, where, IdOf(root));
            var isInitialize = IsInitialize(root, out var parameters);
            if (checkInitialize && isInitialize
                && McpParamsCheck.Problem("initialize", parameters is { } p ? JsonNode.Parse(JsonMarshal.GetRawUtf8Value(p)) : null) is { } problem)
                return new(McpErrorCode.InvalidParams, $"Invalid params for initialize: {problem}", IdOf(root));
            id = IdOf(root);
            if (!isInitialize && root.TryGetProperty("method"u8, out _) && root.TryGetProperty("id"u8, out var given))
                requestId = given.ValueKind switch
                {
                    JsonValueKind.Number => given.GetRawText(),
                    JsonValueKind.String => given.GetString(),
                    _ => null,
                };
            return null;
        }
    }

    /// <summary>Why the strict parse failed: a property named twice, a name that is no text, or JSON that is not JSON.</summary>
    private static McpBodyProblem Explain(ReadOnlyMemory<byte> body, Exception failure)
    {
        JsonDocument lenient;
        try
        {
            lenient = JsonDocument.Parse(body, Lenient);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return new(McpErrorCode.ParseError,
                $"The body is not valid JSON: {ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0]} Send one JSON-RPC message as a JSON object.", default);
        }
        using (lenient)
        {
            var root = lenient.RootElement;
            if (LoneSurrogate(body.Span, root) is { } where)
                return new(McpErrorCode.ParseError, where, IdOf(root));
            if (EnvelopeParser.FindDuplicate(root, "") is { } duplicate)
                return new(McpErrorCode.InvalidRequest,
                    $"The property '{duplicate}' appears more than once in the same object. Send each property once.", IdOf(root));
        }
        return new(McpErrorCode.ParseError, $"The body could not be read as JSON: {failure.Message}", default);
    }

    /// <summary>The message naming where a lone surrogate escape is, or null when there is none.</summary>
    private static string? LoneSurrogate(ReadOnlySpan<byte> body, JsonElement root)
    {
        if (!EnvelopeParser.MayHoldLoneSurrogate(body))
            return null;
        try
        {
            EnvelopeParser.RejectLoneSurrogates(root, "");
            return null;
        }
        catch (RequestError error)
        {
            return error.Message;
        }
    }

    private static bool IsInitialize(JsonElement root, out JsonElement? parameters)
    {
        parameters = null;
        if (!root.TryGetProperty("method"u8, out var method) || method.ValueKind != JsonValueKind.String || !method.ValueEquals("initialize"u8)
            || !root.TryGetProperty("id"u8, out var id) || id.ValueKind == JsonValueKind.Null)
            return false; // an initialize without an id is no request: the SDK answers it
        if (root.TryGetProperty("params"u8, out var given))
            parameters = given;
        return true;
    }

    /// <summary>The request's id when it has exactly one that is a string or an integer (and readable text); default otherwise.</summary>
    private static RequestId IdOf(JsonElement root)
    {
        RequestId found = default;
        var count = 0;
        try
        {
            foreach (var property in root.EnumerateObject())
            {
                if (!property.NameEquals("id"u8))
                    continue;
                count++;
                var id = property.Value;
                if (id.ValueKind == JsonValueKind.String)
                    found = new RequestId(id.GetString()!);
                else if (id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var number))
                    found = new RequestId(number);
            }
        }
        catch (InvalidOperationException)
        {
            return default; // a name or the id is no text (a lone surrogate)
        }
        return count == 1 ? found : default;
    }
}
