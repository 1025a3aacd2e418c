using System.Net;
using System.Text;
using McpApi.BrowserAccess;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.BrowserAccess;

/// <summary>Every HTTP answer carries the security headers; HTML pages get a policy that lets them run, data none at all.</summary>
public sealed class SecurityHeaderTests
{
    private static void ShouldCarrySecurityHeaders(HttpResponseMessage response, string policy)
    {
        var what = $"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}";
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff", what);
        if (policy == SecurityHeaders.PagePolicy)
            response.Headers.GetValues("Referrer-Policy").Single().ShouldBe("no-referrer", what);
        else
            response.Headers.Contains("Referrer-Policy").ShouldBeFalse($"a JSON answer makes no requests a referrer policy could apply to ({what})");
        response.Headers.GetValues("X-Frame-Options").Single().ShouldBe("DENY", what);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldBe(policy, what);
        csp.ShouldContain("frame-ancestors 'none'");
        response.Headers.Contains("Server").ShouldBeFalse(what);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/swagger/index.html")]
    public async Task PagesGetThePagePolicy(string path)
    {
        using var app = new McpApiApplication();
        var client = app.CreateClient();
        var response = await client.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        ShouldCarrySecurityHeaders(response, SecurityHeaders.PagePolicy);
    }

    [Fact]
    public async Task TheMcpGuideForBrowsersGetsThePagePolicy()
    {
        using var app = new McpApiApplication();
        var request = new HttpRequestMessage(HttpMethod.Get, "/mcp");
        request.Headers.Add("Accept", "text/html");

        ShouldCarrySecurityHeaders(await app.CreateClient().SendAsync(request), SecurityHeaders.PagePolicy);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/mcp/models")]
    [InlineData("/swagger/v1/swagger.json")]
    [InlineData("/no/such/path")]
    public async Task DataAndErrorsGetTheDataPolicy(string path)
    {
        using var app = new McpApiApplication();
        ShouldCarrySecurityHeaders(await app.CreateClient().GetAsync(path), SecurityHeaders.DataPolicy);
    }

    [Fact]
    public async Task EnvelopesAndErrorsWrittenByTheExceptionHandlerCarryThemToo()
    {
        using var app = new McpApiApplication();
        var client = app.CreateClient();

        var ok = await client.PostAsync("/mcp", new StringContent("""{"model":"echo"}""", Encoding.UTF8, "application/json"));
        var wrongType = await client.PostAsync("/mcp", new StringContent("""{"model":"echo"}""", Encoding.UTF8, "text/plain"));
        var foreign = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        foreign.Headers.Add("Origin", "https://evil.example");

        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        wrongType.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        ShouldCarrySecurityHeaders(ok, SecurityHeaders.DataPolicy);
        ShouldCarrySecurityHeaders(wrongType, SecurityHeaders.DataPolicy);
        ShouldCarrySecurityHeaders(await client.SendAsync(foreign), SecurityHeaders.DataPolicy);
    }
}
