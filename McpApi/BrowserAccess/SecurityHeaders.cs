namespace McpApi.BrowserAccess;

/// <summary>
/// Headers every HTTP answer carries, set when the answer starts (so error envelopes written by the exception handler
/// get them too): <c>X-Content-Type-Options: nosniff</c>, <c>Referrer-Policy: no-referrer</c>, <c>X-Frame-Options: DENY</c>
/// and a <c>Content-Security-Policy</c> — for HTML pages (the web console, Swagger UI, the <c>/mcp</c> guide) scripts,
/// connections and images from this server only, inline styles allowed (Swagger UI and the guide use them); for every
/// other answer nothing at all. Both forbid framing (<c>frame-ancestors 'none'</c>).
/// </summary>
public static class SecurityHeaders
{
    public const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public const string DataPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>The same headers as raw HTTP/1.1 header lines, for an answer written below ASP.NET Core (a refused connection).</summary>
    public const string RawHeaderLines =
        "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nX-Frame-Options: DENY\r\nContent-Security-Policy: " + DataPolicy + "\r\n";

    private static readonly Func<object, Task> Apply = state =>
    {
        var response = (HttpResponse)state;
        var headers = response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = response.ContentType is { } type && type.StartsWith("text/html", StringComparison.OrdinalIgnoreCase)
            ? PagePolicy
            : DataPolicy;
        return Task.CompletedTask;
    };

    public static Task Middleware(HttpContext http, RequestDelegate next)
    {
        http.Response.OnStarting(Apply, http.Response);
        return next(http);
    }
}
