using System.Net;
using McpApi.BrowserAccess;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>
/// Browser access to the real server: no <c>Server</c> header on real sockets, a real preflight, and headless Chromium
/// (tests/browser/cors.test.mjs) calling McpApi from a page on another origin, plus the console and Swagger UI under the
/// Content-Security-Policy.
/// </summary>
public sealed class BrowserAccessProcessTests
{
    [Fact]
    public async Task TheRealServerSendsNoServerHeaderAndAnswersAPreflight()
    {
        await using var server = await ServerProcess.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        var health = await client.GetAsync("/health");
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/mcp");
        preflight.Headers.Add("Origin", "http://localhost:3000");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,mcp-session-id");
        var answer = await client.SendAsync(preflight);

        health.Headers.Contains("Server").ShouldBeFalse();
        health.Headers.GetValues("Content-Security-Policy").Single().ShouldBe(SecurityHeaders.DataPolicy);
        answer.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        answer.Headers.GetValues("Access-Control-Allow-Origin").Single().ShouldBe("http://localhost:3000");
        answer.Headers.Contains("Server").ShouldBeFalse();
    }

    [Fact]
    public async Task APageOnAnAllowedOriginCallsMcpApiInChromiumAndTheConsoleAndSwaggerRunUnderTheirPolicy()
    {
        var browserTests = Path.Combine(ExternalProcess.RepoRoot, "tests", "browser");
        File.Exists("/usr/bin/chromium").ShouldBeTrue("Chromium is missing: run scripts/setup.d/40-browser.sh");
        Directory.Exists(Path.Combine(browserTests, "node_modules", "playwright-core")).ShouldBeTrue("playwright-core is missing: run scripts/setup.d/40-browser.sh");
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string> { ["Mcp:AllowedOrigins:0"] = "http://127.0.0.1" });

        var result = await ExternalProcess.RunAsync("node", ["cors.test.mjs", server.BaseAddress.ToString().TrimEnd('/')],
            TimeSpan.FromSeconds(180), workingDirectory: browserTests);

        result.ExitCode.ShouldBe(0, result.ToString());
        string[] checks =
        [
            "a page on an allowed origin posts an envelope with a header that needs a preflight and reads the answer",
            "a page on an allowed origin speaks MCP: initialize, reads Mcp-Session-Id, lists tools with the session headers",
            "a page on an allowed origin opens an EventSource on /mcp/events",
            "a page on an origin that is not allowed cannot read an answer (no Access-Control-Allow-Origin)",
            "the web console loads under its Content-Security-Policy, connects and sends an envelope, without a violation",
            "Swagger UI loads under its Content-Security-Policy and runs the echo example, without a violation",
        ];
        foreach (var check in checks)
            result.Output.ShouldContain($"ok - {check}", customMessage: result.ToString());
        result.Output.ShouldContain("browser: all checks passed");
    }
}
