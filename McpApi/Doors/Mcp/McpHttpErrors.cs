using System.Text.Encodings.Web;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpApi.Doors.Mcp;

/// <summary>A JSON-RPC error answer written by McpApi itself on an MCP endpoint (before or instead of the SDK).</summary>
internal static class McpHttpErrors
{
    public static Task WriteAsync(HttpContext http, int statusCode, McpErrorCode code, string message)
    {
        http.Response.StatusCode = statusCode;
        var error = new JsonRpcError
        {
            Id = default,
            Error = new JsonRpcErrorDetail { Code = (int)code, Message = message },
        };
        return http.Response.WriteAsJsonAsync<JsonRpcMessage>(error, RelaxedOptions, "application/json; charset=utf-8");
    }

    /// <summary>The SDK's JSON settings with relaxed escaping, as <see cref="RelaxedJsonEscapingStream"/> gives the SDK's own answers.</summary>
    private static readonly JsonSerializerOptions RelaxedOptions = new(McpJsonUtilities.DefaultOptions)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
