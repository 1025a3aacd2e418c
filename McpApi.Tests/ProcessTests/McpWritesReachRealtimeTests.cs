using System.Net.WebSockets;
using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>Writes made through the MCP door reach the real-time doors' subscribers: one event hub behind every door.</summary>
public sealed class McpWritesReachRealtimeTests
{
    [Fact]
    public async Task AChatMessageSentAsAnMcpToolCallReachesWebSocketAndTcpSubscribers()
    {
        await using var server = await ServerProcess.StartAsync();
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/mcp/ws"), CancellationToken.None);
        using var ws = new WsTestClient(socket);
        await ws.ReplyAsync(new { model = "subscribe", data = new { topics = new[] { "chat:agents" } } });
        using var tcp = await TcpTestClient.ConnectAsync(server.TcpPort);
        await tcp.ReplyAsync("""{"model":"subscribe","data":{"topics":["chat:agents"]}}""");
        await using var mcp = await McpClients.ConnectAsync(server.CreateClient());

        var result = await mcp.CallToolAsync("chat_send", new Dictionary<string, object?>
        {
            ["context"] = new { user = "claude", room = "agents" },
            ["data"] = "hello from an MCP client",
        }, cancellationToken: TestContext.Timeout);

        (result.IsError ?? false).ShouldBeFalse(string.Join(" ", result.Texts()));
        var id = result.Structured().GetProperty("data").GetProperty("id").GetInt64();
        foreach (var pushed in new[] { await ws.NextEventAsync(), await tcp.NextEventAsync() })
        {
            pushed.GetProperty("message").GetString().ShouldBe("chat.message");
            pushed.GetProperty("cursor").GetInt64().ShouldBe(id);
            pushed.GetProperty("data").GetProperty("user").GetString().ShouldBe("claude");
            pushed.GetProperty("data").GetProperty("text").GetString().ShouldBe("hello from an MCP client");
        }
    }
}
