using Microsoft.AspNetCore.Http.Features;

namespace McpApi.Doors.Mcp;

/// <summary>Sends everything an MCP endpoint writes through <see cref="RelaxedJsonEscapingStream"/>.</summary>
internal static class RelaxedJsonResponses
{
    public static RequestDelegate Around(RequestDelegate next) => async http =>
    {
        var original = http.Features.Get<IHttpResponseBodyFeature>()!;
        await using var relaxed = new RelaxedJsonEscapingStream(original.Stream);
        var body = new StreamResponseBodyFeature(relaxed, original);
        http.Features.Set<IHttpResponseBodyFeature>(body);
        http.Response.OnStarting(() =>
        {
            http.Response.ContentLength = null; // the rewritten body is shorter than one the SDK measured
            return Task.CompletedTask;
        });
        try
        {
            await next(http);
            await body.CompleteAsync();
        }
        finally
        {
            http.Features.Set(original);
        }
    };
}
