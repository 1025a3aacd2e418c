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
    public static RequestDelegate Around(RequestDelegate next) => async http =>
    {
        var limit = http.RequestServices.GetRequiredService<IOptions<McpApiOptions>>().Value.MaxRequestBytes;
        if (await FitsAsync(http.Request, limit))
        {
            await next(http);
            return;
        }
        await McpHttpErrors.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, McpErrorCode.InvalidRequest,
            $"The request body is larger than the {limit} byte limit (setting McpApi:MaxRequestBytes). Send less data per request.");
    };

    private static async Task<bool> FitsAsync(HttpRequest request, long limit)
    {
        if (request.ContentLength is { } length)
            return length <= limit;

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
