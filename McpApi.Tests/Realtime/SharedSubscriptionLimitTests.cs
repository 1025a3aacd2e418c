using System.Net;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Realtime;

/// <summary>SSE, WebSocket and TCP apply the one subscription limit with the same answer.</summary>
public sealed class SharedSubscriptionLimitTests : IDisposable
{
    private readonly RealtimeServer _server = new(new() { ["McpApi:Realtime:MaxTopicsPerConnection"] = "1" });

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task TooManyTopicsIsTheSame422OnEveryRealtimeDoor()
    {
        using var http = _server.CreateClient();
        var sse = await EnvelopeClient.ReadAsync(await http.GetAsync("/mcp/events?topics=chat:a,chat:b"));
        using var ws = new WsTestClient(await _server.ConnectWebSocketAsync());
        var overWebSocket = await ws.ReplyAsync(new { model = "subscribe", data = new { topics = new[] { "chat:a", "chat:b" } } });
        using var tcp = await TcpTestClient.ConnectAsync(_server.TcpPort);
        var overTcp = await tcp.ReplyAsync("""{"model":"subscribe","data":{"topics":["chat:a","chat:b"]}}""");

        sse.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        sse.Code.ShouldBe("too_many_topics");
        sse.Message.ShouldStartWith("A connection may subscribe to at most 1 topics (setting McpApi:Realtime:MaxTopicsPerConnection); this would make 2.");
        overWebSocket.GetProperty("message").GetString().ShouldBe(sse.Message);
        overWebSocket.GetProperty("data").GetProperty("code").GetString().ShouldBe("too_many_topics");
        overTcp.GetProperty("message").GetString().ShouldBe(sse.Message);
    }
}
