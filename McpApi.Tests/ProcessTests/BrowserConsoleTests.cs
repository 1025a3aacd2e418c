using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>
/// The live web console and the Swagger UI in headless Debian Chromium, driven by playwright-core
/// (tests/browser/console.test.mjs; installed by scripts/setup.d/40-browser.sh) against the real server.
/// </summary>
public sealed class BrowserConsoleTests
{
    [Fact]
    public async Task TwoConsoleTabsChatAndPlayThreeGamesTheConsoleFitsAPhoneExplainsARefusedSocketAndSwaggerShowsRealEnvelopes()
    {
        var browserTests = Path.Combine(ExternalProcess.RepoRoot, "tests", "browser");
        File.Exists("/usr/bin/chromium").ShouldBeTrue("Chromium is missing: run scripts/setup.d/40-browser.sh");
        Directory.Exists(Path.Combine(browserTests, "node_modules", "playwright-core")).ShouldBeTrue("playwright-core is missing: run scripts/setup.d/40-browser.sh");
        // console.test is a second name of this machine (Chromium's host-resolver rules): the page opened by it is same-origin.
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string> { ["AllowedHosts"] = "localhost;127.0.0.1;[::1];console.test" });

        var result = await ExternalProcess.RunAsync("node", ["console.test.mjs", server.BaseAddress.ToString().TrimEnd('/'), "console.test"],
            TimeSpan.FromSeconds(180), workingDirectory: browserTests);

        result.ExitCode.ShouldBe(0, result.ToString());
        string[] checks =
        [
            "the lobby's chat history shows on load, without pressing Join room",
            "the page has a favicon and every file it loads is found",
            "a chat message sent in one tab appears in the other",
            "events read as words (who said what), with the raw JSON one click away",
            "three games in a row: New game gets a fresh id each time, the other tab joins, X wins",
            "errors read as the server words them, not as raw JSON",
            "at 390 px (a phone) nothing is wider than the screen",
            "a WebSocket the server refuses shows why (a proxy that rewrites Host)",
            "Swagger UI: POST /mcp, try it out with the echo example, success envelope",
            "opened by another name (console.test), the console connects and chats: same-origin is never foreign",
            "Swagger UI opened by another name (console.test): Execute gets the success envelope, not forbidden_origin",
            "Swagger UI documents the success envelope of the chosen example, not a placeholder",
        ];
        foreach (var check in checks)
            result.Output.ShouldContain($"ok - {check}", customMessage: result.ToString());
        var screenshot = result.Output.Split('\n').Single(l => l.StartsWith("# screenshot (390 px): ", StringComparison.Ordinal))["# screenshot (390 px): ".Length..].Trim();
        File.Exists(screenshot).ShouldBeTrue(screenshot);
        result.Output.ShouldContain("browser: all checks passed");
    }
}
