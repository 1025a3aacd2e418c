using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>Over stdio every line gets an answer: a batch is answered message by message, an unreadable line with an error.</summary>
public sealed class StdioEdgeProcessTests
{
    [Fact]
    public async Task EveryLineGetsAnAnswerEvenABatchOrOneThatIsNotJson()
    {
        var data = Directory.CreateTempSubdirectory("mcpapi-stdio-edges-").FullName;
        try
        {
            using var server = StdioServer.Start("dotnet", [ServerProcess.ServerDll, "--stdio"],
                new Dictionary<string, string> { ["ConnectionStrings__McpApi"] = $"Data Source={Path.Combine(data, "mcpapi.db")}" });
            await server.HandshakeAndEchoAsync("warm up");

            await server.SendAsync("""[{"jsonrpc":"2.0","id":10,"method":"ping"},{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"echo_echo","arguments":{"data":"b"}}}]""");
            await server.SendAsync("""{"jsonrpc":"2.0","id":12,"method":"ping" """);
            await server.SendAsync("garbage");
            await server.SendAsync("""{"jsonrpc":"2.0","id":13,"method":"resources/read","params":{}}""");
            await server.SendAsync("""{"jsonrpc":"2.0","id":14,"method":"ping"}""");

            var answers = new Dictionary<string, JsonElement>();
            while (answers.Count < 6)
            {
                var message = await server.ReadMessageAsync();
                answers[message.GetProperty("id").ToString()] = message;
            }
            answers["10"].TryGetProperty("result", out _).ShouldBeTrue();
            answers["11"].GetProperty("result").GetProperty("structuredContent").GetProperty("status").GetString().ShouldBe("success");
            answers["12"].GetProperty("error").GetProperty("code").GetInt32().ShouldBe(-32700);
            answers.Values.Single(a => a.GetProperty("id").ValueKind == JsonValueKind.String)
                .GetProperty("error").GetProperty("message").GetString()!.ShouldContain("not valid JSON");
            answers["13"].GetProperty("error").GetProperty("code").GetInt32().ShouldBe(-32602);
            answers["13"].GetProperty("error").GetProperty("message").GetString()!.ShouldContain("'uri' is required");
            answers["14"].TryGetProperty("result", out _).ShouldBeTrue();
            await server.CloseAsync();
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}
