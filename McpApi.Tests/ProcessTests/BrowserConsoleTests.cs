using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>
/// The live web console and the Swagger UI in headless Debian Chromium, driven by playwright-core
/// (tests/browser/console.test.mjs; installed by scripts/setup.d/40-browser.sh) against the real server.
/// </summary>
public sealed class BrowserConsoleTests
{
    [Fact]
    public async Task TwoConsoleTabsChatAndPlayTicTacToeAndSwaggerTriesTheEchoExample()
    {
        var browserTests = Path.Combine(ExternalProcess.RepoRoot, "tests", "browser");
        File.Exists("/usr/bin/chromium").ShouldBeTrue("Chromium is missing: run scripts/setup.d/40-browser.sh");
        Directory.Exists(Path.Combine(browserTests, "node_modules", "playwright-core")).ShouldBeTrue("playwright-core is missing: run scripts/setup.d/40-browser.sh");
        await using var server = await ServerProcess.StartAsync();

        var result = await ExternalProcess.RunAsync("node", ["console.test.mjs", server.BaseAddress.ToString().TrimEnd('/')],
            TimeSpan.FromSeconds(120), workingDirectory: browserTests);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("ok - a chat message sent in one tab appears in the other");
        result.Output.ShouldContain("ok - a move played in one tab updates the board in the other");
        result.Output.ShouldContain("ok - Swagger UI: POST /mcp, try it out with the echo example, success envelope");
        result.Output.ShouldContain("browser: all checks passed");
    }
}
