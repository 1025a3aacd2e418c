using System.Diagnostics;
using System.Text.Json;
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
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(ServerProcess.ServerDll)!,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServerProcess.ServerDll);
        start.ArgumentList.Add("--stdio");
        start.Environment["ConnectionStrings__McpApi"] = $"Data Source={Path.Combine(data, "mcpapi.db")}";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.StandardInput.WriteLineAsync(
                """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""");
            var initialize = await ReadMessageAsync(process);
            await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
            await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");
            var list = await ReadMessageAsync(process);
            await process.StandardInput.WriteLineAsync(
                """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo_echo","arguments":{"context":"ana","data":"over stdio"}}}""");
            var call = await ReadMessageAsync(process, mustNotContain: "\\u0022");
            process.StandardInput.Close();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(cts.Token);

            initialize.GetProperty("result").GetProperty("serverInfo").GetProperty("name").GetString().ShouldBe("McpApi");
            list.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ShouldContain("echo_echo");
            call.GetProperty("result").GetProperty("structuredContent").GetProperty("data").GetProperty("echo").GetProperty("data").GetString()
                .ShouldBe("over stdio");
            (await process.StandardOutput.ReadToEndAsync()).Trim().ShouldBeEmpty();
            (await stderr).ShouldContain("McpApi");
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
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

    /// <summary>Reads one stdout line; every line must be a JSON-RPC message.</summary>
    private static async Task<JsonElement> ReadMessageAsync(Process process, string? mustNotContain = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(cts.Token) ?? throw new ShouldAssertException("stdout closed early.");
        if (mustNotContain is not null)
            line.ShouldNotContain(mustNotContain, Case.Sensitive);
        var message = JsonDocument.Parse(line).RootElement.Clone();
        message.GetProperty("jsonrpc").GetString().ShouldBe("2.0");
        return message;
    }
}
