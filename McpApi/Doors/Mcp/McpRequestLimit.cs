using McpApi.Hosting;
using Microsoft.Extensions.Options;
using ModelContextProtocol;

namespace McpApi.Doors.Mcp;

/// <summary>
/// <c>McpApi:MaxRequestBytes</c> for MCP requests on <c>POST /mcp</c>, as the envelope has it: a larger body gets 413 with a
/// JSON-RPC error before the SDK reads it. A body without Content-Length is read up to the limit and handed on in memory.
/// </summary>
internal static class McpRequestLimit
{
    /// <summary>True when the body fits; otherwise the 413 has been written.</summary>
    public static async ValueTask<bool> CheckAsync(HttpContext http, long limit)
    {
        if (await FitsAsync(http.Request, limit))
            return true;
        await McpHttpErrors.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, McpErrorCode.InvalidRequest,
            $"The request body is larger than the {limit} byte limit (setting {McpApiOptions.Section}:{nameof(McpApiOptions.MaxRequestBytes)}). Send less data per request.");
        return false;
    }

    private static ValueTask<bool> FitsAsync(HttpRequest request, long limit) =>
        request.ContentLength is { } length ? ValueTask.FromResult(length <= limit) : ReadUpToAsync(request, limit);

    private static async ValueTask<bool> ReadUpToAsync(HttpRequest request, long limit)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
                return false;
            buffer.Write(chunk, 0, read);
        }
        request.Body = new MemoryStream(buffer.GetBuffer(), 0, (int)buffer.Length, writable: false);
        return true;
    }
}
