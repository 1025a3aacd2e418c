using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>
/// The web console against a real server in <c>Auth:Mode=ApiKey</c>, in headless Debian Chromium driven by playwright-core
/// (tests/browser/console-key.test.mjs; installed by scripts/setup.d/40-browser.sh): it asks for a key, keeps it in
/// sessionStorage, and its calls work as the key's holder.
/// </summary>
public sealed class BrowserConsoleKeyTests
{
    [Fact]
    public async Task TheConsoleAsksForAKeyKeepsItInSessionStorageAndItsCallsWork()
    {
        var browserTests = Path.Combine(ExternalProcess.RepoRoot, "tests", "browser");
        File.Exists("/usr/bin/chromium").ShouldBeTrue("Chromium is missing: run scripts/setup.d/40-browser.sh");
        Directory.Exists(Path.Combine(browserTests, "node_modules", "playwright-core")).ShouldBeTrue("playwright-core is missing: run scripts/setup.d/40-browser.sh");
        var settings = new Dictionary<string, string?>().WithApiKeys().ToDictionary(s => s.Key, s => s.Value!);
        await using var server = await ServerProcess.StartAsync(settings: settings);

        var result = await ExternalProcess.RunAsync("node", ["console-key.test.mjs", server.BaseAddress.ToString().TrimEnd('/'), TestKeys.Ana, TestKeys.Admin],
            TimeSpan.FromSeconds(120), workingDirectory: browserTests);

        result.ExitCode.ShouldBe(0, result.ToString());
        string[] checks =
        [
            "the console asks for a key and says the server requires one",
            "a wrong key is refused with the server's reason and not kept",
            "the key is kept in sessionStorage and the console signs in as its holder",
            "calls work: the models are the key's, and a chat message is recorded as its holder",
            "a reload keeps the tab signed in without asking again",
        ];
        foreach (var check in checks)
            result.Output.ShouldContain($"ok - {check}", customMessage: result.ToString());
        result.Output.ShouldContain("browser: all key checks passed");
    }
}
