using System.Net;
using System.Text;
using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Auth;

/// <summary>
/// With authentication on, WebSocket, SSE and TCP connections count per caller (<c>McpApi:Connections:MaxPerCaller</c>)
/// and MCP sessions too (<c>Mcp:MaxSessionsPerClient</c>), not per address: callers behind one address each get their
/// share, and one key's connections are capped wherever they come from. Anonymous ones still count per address
/// (<c>McpApi:Connections:MaxPerClient</c>).
/// </summary>
public sealed class IdentityConnectionCapTests
{
    private static RealtimeServer Server(string perCaller, string perAddress = "20") => new(new Dictionary<string, string?>
    {
        ["McpApi:Connections:MaxPerClient"] = perAddress,
        ["McpApi:Connections:MaxPerCaller"] = perCaller,
        ["Mcp:MaxSessionsPerClient"] = perCaller,
    }.WithApiKeys());

    private static string Auth(string key) => JsonSerializer.Serialize(new { model = "auth", data = new { key } });

    [Fact]
    public async Task TcpConnectionsMoveFromTheirAddressToTheirCallerWhenTheyAuthenticate()
    {
        using var server = Server(perCaller: "2", perAddress: "2");
        using var first = await TcpTestClient.ConnectAsync(server.TcpPort);
        using var second = await TcpTestClient.ConnectAsync(server.TcpPort);
        (await first.ReplyAsync(Auth(TestKeys.Ana))).GetProperty("status").GetString().ShouldBe("success");
        (await second.ReplyAsync(Auth(TestKeys.Ana))).GetProperty("status").GetString().ShouldBe("success");

        // The address's share is free again: a third connection is let in, but ana already holds hers.
        using var third = await TcpTestClient.ConnectAsync(server.TcpPort);
        var anaAgain = await third.ReplyAsync(Auth(TestKeys.Ana));
        var bob = await third.ReplyAsync(Auth(TestKeys.Bob));

        anaAgain.GetProperty("data").GetProperty("code").GetString().ShouldBe("too_many_connections", anaAgain.ToString());
        anaAgain.GetProperty("message").GetString()!.ShouldContain("'ana'");
        bob.GetProperty("status").GetString().ShouldBe("success", bob.ToString());
    }

    [Fact]
    public async Task EventStreamsAndWebSocketsWithAKeyInTheirHeadersAreCountedForTheirCaller()
    {
        using var server = Server("1");
        var ana = server.CreateClient().WithKey(TestKeys.Ana);
        var bob = server.CreateClient().WithKey(TestKeys.Bob);

        using var anaStream = await ana.GetAsync("/mcp/events?topics=chat:lobby", HttpCompletionOption.ResponseHeadersRead);
        using var anaSecond = await ana.GetAsync("/mcp/events?topics=chat:lobby", HttpCompletionOption.ResponseHeadersRead);
        using var bobStream = await bob.GetAsync("/mcp/events?topics=move:g1", HttpCompletionOption.ResponseHeadersRead);
        var anaSocket = new System.Net.WebSockets.ClientWebSocket();
        anaSocket.Options.SetRequestHeader("X-Api-Key", TestKeys.Ana);
        await anaSocket.ConnectAsync(server.WebSocketUri, CancellationToken.None);
        var anaSecondSocket = new System.Net.WebSockets.ClientWebSocket();
        anaSecondSocket.Options.SetRequestHeader("X-Api-Key", TestKeys.Ana);
        var refused = await Should.ThrowAsync<System.Net.WebSockets.WebSocketException>(() => anaSecondSocket.ConnectAsync(server.WebSocketUri, CancellationToken.None));

        anaStream.StatusCode.ShouldBe(HttpStatusCode.OK);
        anaSecond.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        var error = await EnvelopeClient.ReadAsync(anaSecond);
        error.Code.ShouldBe("too_many_connections");
        error.Message.ShouldContain("'ana'");
        bobStream.StatusCode.ShouldBe(HttpStatusCode.OK, "bob comes from the same address but is another caller");
        anaSocket.State.ShouldBe(System.Net.WebSockets.WebSocketState.Open);
        refused.Message.ShouldContain("429");
        anaSocket.Dispose();
        anaSecondSocket.Dispose();
    }

    [Fact]
    public async Task McpSessionsAreCappedPerCallerNotPerAddress()
    {
        using var server = Server("1");
        const string initialize = """{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"cap-test","version":"1"}}}""";
        async Task<HttpResponseMessage> InitializeAsync(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(initialize, Encoding.UTF8, "application/json") };
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Accept.ParseAdd("text/event-stream");
            return await server.CreateClient().WithKey(key).SendAsync(request);
        }

        using var ana = await InitializeAsync(TestKeys.Ana);
        using var bob = await InitializeAsync(TestKeys.Bob);
        using var anaAgain = await InitializeAsync(TestKeys.Ana);

        ana.StatusCode.ShouldBe(HttpStatusCode.OK);
        bob.StatusCode.ShouldBe(HttpStatusCode.OK, "bob comes from the same address but is another caller");
        anaAgain.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await anaAgain.Content.ReadAsStringAsync()).ShouldContain("'ana'");
    }
}
