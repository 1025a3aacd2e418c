using System.Net;
using System.Text;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.BrowserAccess;

/// <summary>
/// CORS for <c>Mcp:AllowedOrigins</c> (default: loopback origins): a browser's preflight for <c>POST /mcp</c> with the
/// envelope's and MCP's headers is answered, the answer lets the page read it (and <c>Mcp-Session-Id</c>); an origin
/// that is not allowed gets neither.
/// </summary>
public sealed class CorsTests
{
    private const string RequestedHeaders = "content-type,mcp-session-id,mcp-protocol-version,authorization,x-api-key,last-event-id";

    private static HttpRequestMessage Preflight(string origin, string path = "/mcp", string method = "POST")
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", RequestedHeaders);
        return request;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    [Theory]
    [InlineData("http://localhost:3000")]
    [InlineData("http://127.0.0.1:8080")]
    public async Task APreflightFromAnAllowedOriginIsAnsweredWithTheEnvelopeAndMcpHeaders(string origin)
    {
        using var app = new McpApiApplication();
        var response = await app.CreateClient().SendAsync(Preflight(origin));

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        Header(response, "Access-Control-Allow-Origin").ShouldBe(origin);
        Header(response, "Access-Control-Allow-Methods").ShouldContain("POST");
        var allowed = Header(response, "Access-Control-Allow-Headers").ToLowerInvariant();
        foreach (var header in RequestedHeaders.Split(','))
            allowed.ShouldContain(header);
    }

    [Fact]
    public async Task APreflightFromAnOriginThatIsNotAllowedIsRefusedWithoutCorsHeaders()
    {
        using var app = new McpApiApplication();
        var response = await app.CreateClient().SendAsync(Preflight("https://evil.example"));

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        Header(response, "Access-Control-Allow-Origin").ShouldBeEmpty();
        (await response.Content.ReadAsStringAsync()).ShouldContain("Mcp:AllowedOrigins");
    }

    [Fact]
    public async Task AConfiguredOriginGetsCorsAndTheLoopbackDefaultNoLonger()
    {
        using var app = new McpApiApplication();
        app.Settings["Mcp:AllowedOrigins:0"] = "https://app.example.com";
        var client = app.CreateClient();

        var allowed = await client.SendAsync(Preflight("https://app.example.com"));
        var loopback = await client.SendAsync(Preflight("http://localhost:3000"));

        allowed.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        Header(allowed, "Access-Control-Allow-Origin").ShouldBe("https://app.example.com");
        loopback.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        Header(loopback, "Access-Control-Allow-Origin").ShouldBeEmpty();
    }

    [Fact]
    public async Task AnAnswerToAnAllowedOriginNamesItAndExposesTheMcpSessionHeader()
    {
        using var app = new McpApiApplication();
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent("""{"model":"echo"}""", Encoding.UTF8, "application/json") };
        request.Headers.Add("Origin", "http://localhost:3000");

        var response = await app.CreateClient().SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Header(response, "Access-Control-Allow-Origin").ShouldBe("http://localhost:3000");
        Header(response, "Access-Control-Expose-Headers").ShouldContain("Mcp-Session-Id");
    }

    [Fact]
    public async Task ThePreflightOfAnEventStreamIsAnsweredToo()
    {
        using var app = new McpApiApplication();
        var response = await app.CreateClient().SendAsync(Preflight("http://localhost:3000", "/mcp/events?topics=chat:lobby", "GET"));

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        Header(response, "Access-Control-Allow-Origin").ShouldBe("http://localhost:3000");
    }
}
