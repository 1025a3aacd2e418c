using System.Net;
using System.Text;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Auth;

/// <summary>
/// The key half of the matrix on the doors beyond the envelope (the envelope: <see cref="ApiKeyEnvelopeTests"/>;
/// tokens: <see cref="JwtAuthTests.EveryDoorTreatsATokenAlike"/>): no credential, a wrong key, a key without the scope
/// and one with it, on MCP over HTTP, the WebSocket and TCP doors (auth message) and an event stream — the same answer
/// everywhere, and nothing written when refused.
/// </summary>
public sealed class KeyDoorMatrixTests
{
    [Theory]
    [InlineData("none")]
    [InlineData("wrong key")]
    [InlineData("no scope")]
    [InlineData("scope")]
    public async Task EveryDoorTreatsACredentialAlike(string kind)
    {
        using var server = new RealtimeServer(new Dictionary<string, string?>().WithApiKeys());
        string? key = kind switch
        {
            "none" => null,
            "wrong key" => "not-a-key-of-anyone-0123",
            "no scope" => TestKeys.Bob, // notes only on notebook 'work'
            _ => TestKeys.Admin,
        };
        var served = kind == "scope";
        var forbidden = kind == "no scope";
        var expected = served ? null : forbidden ? "forbidden" : "unauthenticated";
        var add = new { model = "notes", action = "add", context = "matrix", data = "x" };
        HttpClient Client() => key is null ? server.CreateClient() : server.CreateClient().WithKey(key);

        // MCP over Streamable HTTP.
        if (served || forbidden)
        {
            await using var mcp = await McpClients.ConnectAsync(Client());
            var call = () => mcp.CallToolAsync("notes_add", new Dictionary<string, object?> { ["context"] = "matrix", ["data"] = "via mcp" }, cancellationToken: TestContext.Timeout).AsTask();
            if (served)
                (await call()).IsError.ShouldNotBe(true);
            else
                ((int)(await Should.ThrowAsync<ModelContextProtocol.McpProtocolException>(call)).ErrorCode).ShouldBe(-32003);
        }
        else
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
            {
                Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await Client().SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            response.Headers.Contains("Mcp-Session-Id").ShouldBeFalse();
        }

        // WebSocket and TCP: the auth message first (when there is a key), then the write.
        using var ws = new WsTestClient(await server.ConnectWebSocketAsync());
        using var tcp = await TcpTestClient.ConnectAsync(server.TcpPort);
        if (key is not null)
        {
            var wsAuth = await ws.ReplyAsync(new { model = "auth", data = new { key } });
            var tcpAuth = await tcp.ReplyAsync(System.Text.Json.JsonSerializer.Serialize(new { model = "auth", data = new { key } }));
            foreach (var auth in new[] { wsAuth, tcpAuth })
            {
                if (kind == "wrong key")
                    auth.GetProperty("data").GetProperty("code").GetString().ShouldBe("unauthenticated", auth.ToString());
                else
                    auth.GetProperty("status").GetString().ShouldBe("success", auth.ToString());
            }
        }
        var wsAdd = await ws.ReplyAsync(add);
        var tcpAdd = await tcp.ReplyAsync(System.Text.Json.JsonSerializer.Serialize(add));
        foreach (var write in new[] { wsAdd, tcpAdd })
        {
            if (expected is null)
                write.GetProperty("status").GetString().ShouldBe("success", write.ToString());
            else
                write.GetProperty("data").GetProperty("code").GetString().ShouldBe(expected, write.ToString());
        }

        // An event stream on the notebook takes the key in its headers.
        using var stream = await Client().GetAsync("/mcp/events?topics=notes:matrix", HttpCompletionOption.ResponseHeadersRead);
        stream.StatusCode.ShouldBe(served ? HttpStatusCode.OK : forbidden ? HttpStatusCode.Forbidden : HttpStatusCode.Unauthorized);

        var stored = await server.CreateClient().WithKey(TestKeys.Admin).PostEnvelopeAsync(new { model = "notes", action = "list", context = "matrix" });
        stored.Data.GetProperty("notes").GetArrayLength().ShouldBe(served ? 3 : 0, "a refused call writes nothing");
    }
}
