using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>
/// Clients nobody here wrote, against a real server process: the official conformance suite (against the conformance
/// test host, McpApi plus the suite's fixtures) and the TypeScript SDK (against McpApi itself).
/// </summary>
public sealed class McpClientProcessTests
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task TheConformanceSuitePassesEveryScenarioInStatefulMode()
    {
        await using var server = await ServerProcess.StartAsync(dll: ServerProcess.ConformanceServerDll);

        var result = await RunConformanceAsync(server);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldMatch(@"Total: [1-9]\d* passed, 0 failed");
        result.Output.ShouldNotContain("✗");
    }

    [Fact]
    public async Task InStatelessModeOnlyTheScenariosNeedingASessionFail()
    {
        await using var server = await ServerProcess.StartAsync(
            settings: new Dictionary<string, string> { ["Mcp:SessionMode"] = "Stateless" }, dll: ServerProcess.ConformanceServerDll);

        var result = await RunConformanceAsync(server,
            "--expected-failures", Path.Combine(NodeTools.Directory, "conformance-stateless.expected-failures.yml"));

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("Baseline check passed");
    }

    [Fact]
    public async Task TheTypeScriptSdkClientUsesSeedNamesResourcesPromptsAndGeneratedTools()
    {
        await using var server = await ServerProcess.StartAsync();

        var result = await ExternalProcess.RunAsync(NodeTools.Node, [NodeTools.SdkClient, $"{server.BaseAddress}mcp"], ClientTimeout,
            workingDirectory: NodeTools.Directory);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("sdk client: all checks passed");
        result.Output.ShouldNotContain("FAIL");
    }

    [Fact]
    public async Task StdioModeServesTheRegistryWithOnlyJsonRpcOnStdout()
    {
        var data = Directory.CreateTempSubdirectory("mcpapi-stdio-").FullName;
        try
        {
            using var server = StdioServer.Start("dotnet", [ServerProcess.ServerDll, "--stdio"],
                new Dictionary<string, string> { ["ConnectionStrings__McpApi"] = $"Data Source={Path.Combine(data, "mcpapi.db")}" });
            var (initialize, list, call) = await server.HandshakeAndEchoAsync("over stdio");
            var rest = await server.CloseAsync();

            initialize.GetProperty("result").GetProperty("serverInfo").GetProperty("name").GetString().ShouldBe("McpApi");
            list.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ShouldContain("echo_echo");
            call.GetProperty("result").GetProperty("structuredContent").GetProperty("data").GetProperty("echo").GetProperty("data").GetString()
                .ShouldBe("over stdio");
            // Relaxed escaping on stdout as over HTTP: the text content is JSON with plain quotes.
            call.GetRawText().ShouldNotContain("\\u0022", Case.Sensitive);
            rest.Trim().ShouldBeEmpty();
            (await server.StderrAfterExitAsync()).ShouldContain("McpApi");
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<ExternalProcess.Result> RunConformanceAsync(ServerProcess server, params string[] extra)
    {
        var results = Directory.CreateTempSubdirectory("mcpapi-conformance-").FullName;
        try
        {
            return await ExternalProcess.RunAsync(NodeTools.Node,
                [NodeTools.Conformance, "server", "--url", $"{server.BaseAddress}mcp", "--suite", "all", "-o", results, .. extra],
                ClientTimeout, workingDirectory: results);
        }
        finally
        {
            try { Directory.Delete(results, recursive: true); } catch (IOException) { }
        }
    }
}
