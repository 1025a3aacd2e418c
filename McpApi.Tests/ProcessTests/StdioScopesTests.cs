using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>MCP over stdio runs as the local user with <c>Auth:Stdio:Scopes</c> (default: every scope).</summary>
public sealed class StdioScopesTests
{
    [Fact]
    public async Task StdioScopesLimitTheToolsListedAndCalled()
    {
        var data = Directory.CreateTempSubdirectory("mcpapi-stdio-").FullName;
        try
        {
            using var server = StdioServer.Start("dotnet", [ServerProcess.ServerDll, "--stdio", "--Auth:Stdio:Scopes:0=echo:*", "--Auth:Stdio:Scopes:1=notes:read"],
                new Dictionary<string, string> { ["ConnectionStrings__McpApi"] = $"Data Source={Path.Combine(data, "mcpapi.db")}" });

            var (_, list, echo) = await server.HandshakeAndEchoAsync("hi");
            await server.SendAsync(JsonSerializer.Serialize(new
            {
                jsonrpc = "2.0", id = 4, method = "tools/call",
                @params = new { name = "notes_add", arguments = new { data = "not allowed" } },
            }));
            var refused = await server.ReadMessageAsync();

            var tools = list.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
            tools.ShouldBe(["echo_echo", "notes_list", "notes_latest", "notes_summary_prompt", "notes_notebooks", "read_notes"], ignoreOrder: true);
            (echo.GetProperty("result").TryGetProperty("isError", out var isError) && isError.ValueKind == JsonValueKind.True).ShouldBeFalse(echo.ToString());
            refused.GetProperty("error").GetProperty("code").GetInt32().ShouldBe(-32003);
            refused.GetProperty("error").GetProperty("message").GetString()!.ShouldContain("notes:add");
            await server.CloseAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }
}
