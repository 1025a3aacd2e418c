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

    /// <summary>The door name for this server's transport: <see cref="StdioDoor"/> when it serves stdio, else <see cref="Door"/>.</summary>
    public static string DoorFor(McpDoorOptions options) => options.Stdio ? StdioDoor : Door;

    /// <summary>
    /// Dispatches <c>{model, action, context?, data?}</c> through <paramref name="door"/>; absent values stay absent.
    /// Over HTTP the caller is the POST's (the SDK runs tools on the request's execution context).
    /// </summary>
    public static ValueTask<DispatchResult> SendAsync(
        Dispatcher dispatcher, string door, string model, string? action, JsonElement? context, JsonElement? data, CancellationToken cancellationToken) =>
        dispatcher.DispatchAsync(model, action, context ?? default, data ?? default, CallerOf(door), cancellationToken);

    /// <summary>Reads the request being served (registered by <c>AddHttpContextAccessor</c>); null over stdio.</summary>
    private static readonly HttpContextAccessor Request = new();

    private static CallContext CallerOf(string door) =>
        Request.HttpContext is { } http ? HttpCaller.For(http, door, TraceId()) : new CallContext(door, TraceId());

    public static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value, EnvelopeJson.Options);

    /// <summary>
    /// A tool result: the response envelope as <c>structuredContent</c> and as text; failures are
    /// <c>isError: true</c> with the envelope's message first, so a model reads what to fix, in tool terms
    /// (<see cref="ToolTerms"/>; <paramref name="model"/>: the model whose actions "the action 'x'" names).
    /// </summary>
    public static CallToolResult ToToolResult(DispatchResult result, string? model = null)
    {
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
        var code = result.StatusCode == StatusCodes.Status404NotFound ? McpErrorCode.ResourceNotFound
            : result.StatusCode >= 500 ? McpErrorCode.InternalError
            : McpErrorCode.InvalidParams;
        throw new McpProtocolException(result.Response.Message, code);
    }

    private static string TraceId() =>
        Activity.Current is { } activity ? activity.TraceId.ToString() : ActivityTraceId.CreateRandom().ToString();
}
