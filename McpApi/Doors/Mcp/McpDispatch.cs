using System.Diagnostics;
using System.Text.Json;
using McpApi.Dispatching;
using McpApi.Doors.Http;
using McpApi.Envelopes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpApi.Doors.Mcp;

/// <summary>
/// How the MCP door talks to the dispatcher: builds an envelope, dispatches it as door <c>mcp</c> (so the same
/// validation and errors apply) and turns the answer into MCP results.
/// </summary>
public static class McpDispatch
{
    /// <summary>The door name of MCP over Streamable HTTP.</summary>
    public const string Door = "mcp";

    /// <summary>The door name of MCP over stdin/stdout (<c>--stdio</c>).</summary>
    public const string StdioDoor = "stdio";

    /// <summary>The JSON-RPC error code of a call the caller's scopes do not allow (HTTP 403 elsewhere).</summary>
    public const McpErrorCode Forbidden = (McpErrorCode)(-32003);

    /// <summary>Dispatches <c>{model, action, context?, data?}</c> for <paramref name="caller"/>; absent values stay absent.</summary>
    public static ValueTask<DispatchResult> SendAsync(
        Dispatcher dispatcher, CallContext caller, string model, string? action, JsonElement? context, JsonElement? data, CancellationToken cancellationToken) =>
        dispatcher.DispatchAsync(model, action, context ?? default, data ?? default, caller, cancellationToken);

    public static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value, EnvelopeJson.Options);

    /// <summary>
    /// A tool result: the response envelope as <c>structuredContent</c> and as text; failures are
    /// <c>isError: true</c> with the envelope's message first, so a model reads what to fix, in tool terms
    /// (<see cref="ToolTerms"/>; <paramref name="model"/>: the model whose actions "the action 'x'" names).
    /// </summary>
    public static CallToolResult ToToolResult(DispatchResult result, string? model = null)
    {
        ThrowIfRefused(result);
        var response = result.IsSuccess ? result.Response : ToolTerms.Reword(result.Response, model);
        var structured = EnvelopeJson.ToElement(response);
        var json = structured.GetRawText();
        return result.IsSuccess
            ? new CallToolResult { Content = [new TextContentBlock { Text = json }], StructuredContent = structured }
            : new CallToolResult
            {
                IsError = true,
                Content = [new TextContentBlock { Text = response.Message }, new TextContentBlock { Text = json }],
                StructuredContent = structured,
            };
    }

    /// <summary>A tool failure that never reached the dispatcher (e.g. arguments of the wrong shape).</summary>
    public static CallToolResult ToolError(RequestError error) => ToToolResult(Dispatcher.Failure(error, TraceId()));

    /// <summary>The <c>data</c> of a successful answer, or the JSON-RPC error a resource or prompt read fails with.</summary>
    public static JsonElement DataOrThrow(DispatchResult result)
    {
        if (result.IsSuccess)
            return EnvelopeJson.ToElement(result.Response.Data);
        ThrowIfRefused(result);
        var code = result.StatusCode == StatusCodes.Status404NotFound ? McpErrorCode.ResourceNotFound
            : result.StatusCode >= 500 ? McpErrorCode.InternalError
            : McpErrorCode.InvalidParams;
        throw new McpProtocolException(result.Response.Message, code);
    }

    /// <summary>401 and 403 are JSON-RPC errors, not tool results: the caller, not the model, has to act.</summary>
    private static void ThrowIfRefused(DispatchResult result)
    {
        if (result.StatusCode == StatusCodes.Status401Unauthorized)
            throw new McpProtocolException(result.Response.Message, McpAuthenticationGate.Unauthenticated);
        if (result.StatusCode == StatusCodes.Status403Forbidden && result.Response.Data is ErrorDetails { Code: ErrorCodes.Forbidden })
            throw new McpProtocolException(result.Response.Message, Forbidden);
    }

    /// <summary>The trace id of an MCP call: the request's trace when there is one (HTTP), else a new one (stdio).</summary>
    internal static string TraceId() =>
        Activity.Current is { } activity ? activity.TraceId.ToString() : ActivityTraceId.CreateRandom().ToString();
}
