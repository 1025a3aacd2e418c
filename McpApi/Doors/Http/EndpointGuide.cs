using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using McpApi.Dispatching;
using McpApi.Envelopes;
using McpApi.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace McpApi.Doors.Http;

/// <summary>
/// <c>GET /mcp</c> from a browser or plain curl (no <c>Mcp-Session-Id</c>, no <c>Accept: text/event-stream</c>):
/// what the URL is, how to POST an envelope, where Swagger and <c>/mcp/models</c> are. A short HTML page when the
/// caller asks for HTML, a success envelope otherwise. MCP clients' GETs still reach the SDK (see McpEndpointSelector).
/// </summary>
public static class EndpointGuide
{
    /// <summary>The guide's <c>data</c>: absolute links for the host the request was sent to.</summary>
    public sealed record Links(
        string Post,
        string Models,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Swagger,
        string Console,
        string Mcp);

    public const string Message =
        "/mcp is McpApi's message endpoint. POST a JSON envelope {\"model\", \"action\", \"context\", \"data\"} to it " +
        "with Content-Type: application/json and get {\"status\", \"message\", \"data\"} back. data.models lists every model " +
        "and action with an example; data.swagger tries them in the browser. MCP clients use this same URL (data.mcp).";

    internal static Results<ContentHttpResult, EnvelopeResult> Describe(HttpContext http, IOptions<McpApiOptions> options)
    {
        var links = LinksFor(http.Request, options.Value.EnableSwagger);
        return WantsHtml(http.Request)
            ? TypedResults.Content(Html(links), "text/html; charset=utf-8")
            : new EnvelopeResult(new DispatchResult(StatusCodes.Status200OK, new EnvelopeResponse(EnvelopeResponse.Success, Message, links)));
    }

    private static Links LinksFor(HttpRequest request, bool swagger)
    {
        var root = $"{request.Scheme}://{request.Host.Value}{request.PathBase}";
        return new Links(
            Post: $"curl -H 'Content-Type: application/json' -d '{{\"model\":\"echo\",\"data\":\"hi\"}}' {root}/mcp",
            Models: $"{root}/mcp/models",
            Swagger: swagger ? $"{root}/swagger" : null,
            Console: $"{root}/",
            Mcp: $"MCP clients (Claude Desktop, VS Code, the MCP SDKs) connect to {root}/mcp over Streamable HTTP: they POST " +
                 "initialize with Accept: application/json, text/event-stream, then GET with their Mcp-Session-Id for the server's stream.");
    }

    /// <summary>Browsers list <c>text/html</c> in Accept; curl (<c>*/*</c>) and API clients do not.</summary>
    private static bool WantsHtml(HttpRequest request) =>
        MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)
        && accepted.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) && a.Quality is not 0);

    private static string Html(Links links)
    {
        static string E(string text) => HtmlEncoder.Default.Encode(text);
        var swagger = links.Swagger is null ? "" : """<li><a href="/swagger">Swagger UI</a>: try every action in the browser.</li>""";
        return $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>McpApi: /mcp</title><link rel="icon" href="/favicon.svg">
            <style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2330}code,pre{background:#f4f5f7;padding:.1rem .3rem;border-radius:4px}pre{padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}</style>
            </head><body>
            <h1>/mcp</h1>
            <p>This is McpApi's message endpoint. <b>POST</b> a JSON envelope <code>{"model", "action", "context", "data"}</code>
            with <code>Content-Type: application/json</code> and get <code>{"status", "message", "data"}</code> back:</p>
            <pre>{{E(links.Post)}}</pre>
            <ul>
            <li><a href="/mcp/models">/mcp/models</a>: every model and action, with its data schema and an example.</li>
            {{swagger}}
            <li><a href="/">The live console</a>: chat, tic-tac-toe and events over the WebSocket door.</li>
            </ul>
            <p>{{E(links.Mcp)}}</p>
            </body></html>
            """;
    }
}
