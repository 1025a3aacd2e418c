using System.Text.Encodings.Web;
using System.Text.Json;
using McpApi.Dispatching;
using McpApi.Doors.Http;
using McpApi.Doors.Mcp;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpApi.Limits;

/// <summary>
/// Writes a 429 the HTTP pipeline decides before any door runs (a spent request budget, a client blocked after failed
/// authentications): a JSON-RPC error on the MCP endpoint, an error envelope elsewhere, with <c>Retry-After</c>.
/// </summary>
internal static class LimitRefusals
{
    /// <summary>The JSON-RPC error code of a refused MCP request (implementation-defined server error range).</summary>
    public const int McpRateLimited = -32029;

    public static Task WriteAsync(HttpContext http, RequestError error, int retryAfterSeconds)
    {
        var response = http.Response;
        response.Headers.RetryAfter = CallerRateLimiter.Format(retryAfterSeconds);
        if (http.GetEndpoint()?.Metadata.GetMetadata<McpEndpointMetadata>() is null)
            return new EnvelopeResult(Dispatcher.Failure(error, http.TraceIdentifier)).ExecuteAsync(http);

        response.StatusCode = error.StatusCode;
        var answer = new JsonRpcError
        {
            Id = default,
            Error = new JsonRpcErrorDetail
            {
                Code = McpRateLimited,
                Message = error.Message,
                Data = JsonSerializer.SerializeToElement(new Dictionary<string, object>
                {
                    ["code"] = error.Code,
                    [CallerRateLimiter.RetryAfterKey] = retryAfterSeconds,
                    ["traceId"] = http.TraceIdentifier,
                }),
            },
        };
        return response.WriteAsJsonAsync<JsonRpcMessage>(answer, Json, "application/json; charset=utf-8");
    }

    private static readonly JsonSerializerOptions Json = new(McpJsonUtilities.DefaultOptions)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
