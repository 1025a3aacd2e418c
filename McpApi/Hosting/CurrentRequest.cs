namespace McpApi.Hosting;

/// <summary>
/// The HTTP request being served, for the few places a framework calls without handing it over (MCP handlers run by
/// the SDK, Swagger's document filters). It is set only around those requests (<see cref="Around"/>): registering
/// <c>IHttpContextAccessor</c> instead would make the host set it — an execution-context change — at the start and
/// end of every request on every door.
/// </summary>
public static class CurrentRequest
{
    private static readonly HttpContextAccessor Accessor = new();

    /// <summary>The request whose <see cref="Around"/> the caller runs in; null elsewhere (stdio, other requests).</summary>
    public static HttpContext? Http => Accessor.HttpContext;

    /// <summary>Sets (or, with null, clears) the request <see cref="Http"/> gives, for a wrapper that cannot use <see cref="Around"/>.</summary>
    internal static void Set(HttpContext? http) => Accessor.HttpContext = http;

    public static RequestDelegate Around(RequestDelegate next) => async http =>
    {
        Accessor.HttpContext = http;
        try
        {
            await next(http);
        }
        finally
        {
            Accessor.HttpContext = null;
        }
    };

    /// <summary>Makes the requests of this (branch of the) pipeline visible through <see cref="Http"/>.</summary>
    public static IApplicationBuilder UseCurrentRequest(this IApplicationBuilder app) => app.Use(next => Around(next));
}
