namespace McpApi.BrowserAccess;

/// <summary>
/// Headers every HTTP answer carries (error envelopes written by the exception handler too):
/// <c>X-Content-Type-Options: nosniff</c>, <c>X-Frame-Options: DENY</c> and a <c>Content-Security-Policy</c> — for HTML
/// pages (the web console, Swagger UI, the <c>/mcp</c> guide) scripts, connections and images from this server only,
/// inline styles allowed (Swagger UI and the guide use them); for every other answer nothing at all. Both forbid framing
/// (<c>frame-ancestors 'none'</c>). HTML pages also get <c>Referrer-Policy: no-referrer</c>: a browser applies it to what
/// a page requests, so on a JSON answer it would do nothing (and Kestrel, having no slot for it, would give every
/// envelope a dictionary entry).
/// </summary>
public static class SecurityHeaders
{
    public const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public const string DataPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>The same headers as raw HTTP/1.1 header lines, for an answer written below ASP.NET Core (a refused connection).</summary>
    public const string RawHeaderLines =
        "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nContent-Security-Policy: " + DataPolicy + "\r\n";

    private static readonly Func<object, Task> ApplyWhenStarting = state =>
    {
        var response = (HttpResponse)state;
        Apply(response.Headers, response.ContentType is { } type && type.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) ? PagePolicy : DataPolicy);
        return Task.CompletedTask;
    };

    /// <summary>
    /// Only a GET or HEAD can answer a page, so only those wait for the answer's content type (a callback per request);
    /// every other method's headers are set at once.
    /// </summary>
    public static Task Middleware(HttpContext http, RequestDelegate next)
    {
        if (MayAnswerAPage(http.Request))
            http.Response.OnStarting(ApplyWhenStarting, http.Response);
        else
            Apply(http.Response.Headers, DataPolicy);
        return next(http);
    }

    /// <summary>
    /// Sets the headers again on an answer whose headers were cleared (the exception handler clears them); a GET or HEAD
    /// still has its callback.
    /// </summary>
    public static void Restore(HttpResponse response)
    {
        if (!MayAnswerAPage(response.HttpContext.Request))
            Apply(response.Headers, DataPolicy);
    }

    private static bool MayAnswerAPage(HttpRequest request) => HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);

    private static void Apply(IHeaderDictionary headers, string policy)
    {
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = policy;
        if (ReferenceEquals(policy, PagePolicy))
            headers["Referrer-Policy"] = "no-referrer";
    }
}
