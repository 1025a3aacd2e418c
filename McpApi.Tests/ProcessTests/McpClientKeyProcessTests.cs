using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>The official TypeScript MCP SDK client with a bearer token, against a real server in ApiKey mode.</summary>
public sealed class McpClientKeyProcessTests
{
    [Fact]
    public async Task TheTypeScriptSdkClientWithABearerKeySeesAndCallsOnlyWhatTheKeyAllows()
    {
        var env = new Dictionary<string, string?>().WithApiKeys().ToDictionary(p => p.Key.Replace(":", "__"), p => p.Value!);
        await using var server = await ServerProcess.StartAsync(environment: env);

        var result = await ExternalProcess.RunAsync(NodeTools.Node, [NodeTools.SdkClientWithKey, new Uri(server.BaseAddress, "/mcp").ToString()],
            TimeSpan.FromSeconds(120), new Dictionary<string, string> { ["MCPAPI_KEY"] = TestKeys.Ana });

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("all checks passed");
    }
}
