using McpApi.Doors.Mcp;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace McpApi.BrowserAccess;

/// <summary>
/// What browsers are told: CORS for the origins <c>Mcp:AllowedOrigins</c> allows (ASP.NET Core's CORS middleware, so a
/// page on such an origin can call <c>/mcp</c>, preflight included), security headers on every answer
/// (<see cref="SecurityHeaders"/>), and no <c>Server</c> header.
/// </summary>
public static class BrowserAccessSetup
{
    /// <summary>Request headers a page may send: the envelope's and MCP's (session, protocol version, credentials, SSE resume).</summary>
    public static readonly string[] AllowedHeaders =
        ["Content-Type", "Accept", "Authorization", "X-Api-Key", "Mcp-Session-Id", "MCP-Protocol-Version", "Last-Event-ID"];

    /// <summary>Response headers a page may read.</summary>
    public static readonly string[] ExposedHeaders = ["Mcp-Session-Id", "Retry-After", "WWW-Authenticate"];

    public static WebApplicationBuilder AddBrowserAccess(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptionsMonitor<McpDoorOptions>>((cors, door) =>
            cors.AddDefaultPolicy(policy => policy
                .SetIsOriginAllowed(origin => OriginPolicy.IsAllowed(origin, door.CurrentValue.AllowedOrigins))
                .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete)
                .WithHeaders(AllowedHeaders)
                .WithExposedHeaders(ExposedHeaders)
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return builder;
    }

    /// <summary>Security headers on every answer; put it first so errors and refusals get them too.</summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use(SecurityHeaders.Middleware);
        return app;
    }

    /// <summary>
    /// CORS answers (a preflight from an allowed origin gets 204 with the allowed methods and headers). Put it after the
    /// origin check: a request from an origin not allowed is refused there with 403 and no CORS header. Only requests
    /// that carry <c>Origin</c> go through the CORS middleware: it has nothing to say to the others (curl, scripts, MCP
    /// clients outside a browser), and skipping it saves them its per-request work.
    /// </summary>
    public static WebApplication UseBrowserCors(this WebApplication app)
    {
        app.UseWhen(http => http.Request.Headers.ContainsKey(HeaderNames.Origin), browser => browser.UseCors());
        return app;
    }
}
