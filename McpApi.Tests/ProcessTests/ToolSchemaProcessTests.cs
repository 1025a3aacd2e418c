using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>
/// What an AI client reads in <c>tools/list</c>, judged by clients nobody here wrote: the TypeScript SDK with a JSON Schema
/// 2020-12 validator (every tool called, every <c>structuredContent</c> checked against its <c>outputSchema</c>) and the
/// MCP Inspector CLI's portability lint (<c>--strict</c>), over HTTP and over stdio.
/// </summary>
public sealed class ToolSchemaProcessTests
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task EveryToolCalledOverHttpReturnsStructuredContentThatFitsItsOutputSchema()
    {
        await using var server = await ServerProcess.StartAsync();

        var result = await ExternalProcess.RunAsync(NodeTools.Node, [NodeTools.ToolSchemas, $"{server.BaseAddress}mcp"], ClientTimeout,
            workingDirectory: NodeTools.Directory);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("all checks passed");
        result.Output.ShouldContain("ok   state_set: structuredContent fits its outputSchema");
        result.Output.ShouldNotContain("FAIL");
    }

    [Fact]
    public async Task EveryToolCalledOverStdioReturnsStructuredContentThatFitsItsOutputSchema()
    {
        var data = Directory.CreateTempSubdirectory("mcpapi-stdio-schemas-").FullName;
        try
        {
            var result = await ExternalProcess.RunAsync(NodeTools.Node,
                [NodeTools.ToolSchemas, "--stdio", "dotnet", ServerProcess.ServerDll, "--stdio"], ClientTimeout,
                new Dictionary<string, string> { ["ConnectionStrings__McpApi"] = $"Data Source={Path.Combine(data, "mcpapi.db")}" },
                workingDirectory: NodeTools.Directory);

            result.ExitCode.ShouldBe(0, result.ToString());
            result.Output.ShouldContain("all checks passed");
            result.Output.ShouldNotContain("FAIL");
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task TheInspectorCliFindsNoSchemaPortabilityProblemOverHttp()
    {
        await using var server = await ServerProcess.StartAsync();

        var result = await ExternalProcess.RunAsync(NodeTools.Node,
            [NodeTools.Inspector, "--cli", $"{server.BaseAddress}mcp", "--transport", "http", "--method", "tools/list", "--strict"], ClientTimeout,
            workingDirectory: NodeTools.Directory);

        ShouldListEveryToolWithoutFindings(result);
    }

    [Fact]
    public async Task TheInspectorCliFindsNoSchemaPortabilityProblemOverStdio()
    {
        var data = Directory.CreateTempSubdirectory("mcpapi-stdio-inspector-").FullName;
        try
        {
            var result = await ExternalProcess.RunAsync(NodeTools.Node,
                [NodeTools.Inspector, "--cli", "-e", $"ConnectionStrings__McpApi=Data Source={Path.Combine(data, "mcpapi.db")}",
                    "--method", "tools/list", "--strict", "dotnet", ServerProcess.ServerDll, "--stdio"], ClientTimeout,
                workingDirectory: NodeTools.Directory);

            ShouldListEveryToolWithoutFindings(result);
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    private static void ShouldListEveryToolWithoutFindings(ExternalProcess.Result result)
    {
        result.ExitCode.ShouldBe(0, result.ToString());
        using var listed = JsonDocument.Parse(result.Output);
        var tools = listed.RootElement.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        tools.ShouldContain("chat_send");
        tools.ShouldContain("read_notes");
        listed.RootElement.TryGetProperty("schemaFindings", out _).ShouldBeFalse(result.Output);
        result.Error.ShouldNotContain("Warning: tool");
        result.Error.ShouldNotContain("Error: tool");
        result.Error.ShouldNotContain("Schema portability");
    }
}
