using Microsoft.AspNetCore.Http.Features;

namespace McpApi.Doors.Mcp;

/// <summary>Sends everything an MCP endpoint writes through <see cref="RelaxedJsonEscapingStream"/>.</summary>
internal static class RelaxedJsonResponses
{
    public static RequestDelegate Around(RequestDelegate next) => http => RunAsync(http, next);

    /// <summary>Runs <paramref name="next"/> with the response body relaxed, then puts the original body back.</summary>
    public static async Task RunAsync(HttpContext http, RequestDelegate next)
    {
        var original = http.Features.Get<IHttpResponseBodyFeature>()!;
        await using var relaxed = new RelaxedJsonEscapingStream(original.Stream);
        var body = Install(http, relaxed, original);
        try
        {
            await next(http);
            await body.CompleteAsync();
        }
        finally
        {
            http.Features.Set(original);
        }
    }

    /// <summary>Makes <paramref name="relaxed"/> the response body; put <paramref name="original"/> back when the endpoint is done.</summary>
    private static StreamResponseBodyFeature Install(HttpContext http, RelaxedJsonEscapingStream relaxed, IHttpResponseBodyFeature original)
    {
        var body = new StreamResponseBodyFeature(relaxed, original);
        http.Features.Set<IHttpResponseBodyFeature>(body);
        http.Response.OnStarting(ClearContentLength, http.Response);
        return body;
    }

    // The rewritten body is shorter than one the SDK measured.
    private static readonly Func<object, Task> ClearContentLength = static response =>
    {
        ((HttpResponse)response).ContentLength = null;
        return Task.CompletedTask;
    };
}
