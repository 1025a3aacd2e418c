using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using McpApi.Tests.Infrastructure;
using McpApi.Tests.Realtime;

namespace McpApi.Tests.ProcessTests;

/// <summary>The real-time doors of the real server process: shutdown, the TCP setting, the Python TCP client.</summary>
public sealed class RealtimeProcessTests
{
    [Fact]
    public async Task ShutdownClosesWebSocketsWith1001AndEndsTcpAndSseWithAFinalReason()
    {
        await using var server = await ServerProcess.StartAsync();
        using var http = server.CreateClient();
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/mcp/ws"), CancellationToken.None);
        using var ws = new WsTestClient(socket);
        (await ws.ReplyAsync(new { model = "subscribe", data = new { topics = new[] { "echo:x" } } })).GetProperty("status").GetString().ShouldBe("success");
        using var tcp = await TcpTestClient.ConnectAsync(server.TcpPort);
        (await tcp.ReplyAsync("""{"model":"echo","data":"hi"}""")).GetProperty("status").GetString().ShouldBe("success");
        var (_, sse) = await SseDoorTests.OpenAsync(http, "echo:x");
        (await SseDoorTests.NextAsync(sse)).EventType.ShouldBe("ready");

        var stopping = server.StopAsync();

        var notice = await ws.ReceiveAsync();
        notice.ShouldNotBeNull().GetProperty("data").GetProperty("code").GetString().ShouldBe("server_stopping");
        (await ws.ReceiveAsync()).ShouldBeNull();
        socket.CloseStatus.ShouldBe(WebSocketCloseStatus.EndpointUnavailable);
        var finalLine = await tcp.ReadAsync();
        finalLine.ShouldNotBeNull().GetProperty("data").GetProperty("code").GetString().ShouldBe("server_stopping");
        (await tcp.ReadAsync()).ShouldBeNull();
        var closed = await SseDoorTests.NextAsync(sse);
        closed.EventType.ShouldBe("closed");
        JsonDocument.Parse(closed.Data).RootElement.GetProperty("data").GetProperty("code").GetString().ShouldBe("server_stopping");
        await stopping;
        server.HasExited.ShouldBeTrue();
    }

    [Fact]
    public async Task TcpDoorListensOnItsPortBesideTheHttpUrlsAndCanBeTurnedOff()
    {
        await using (var on = await ServerProcess.StartAsync())
        {
            using var tcp = await TcpTestClient.ConnectAsync(on.TcpPort);
            (await tcp.ReplyAsync("""{"model":"echo","data":"on"}""")).GetProperty("status").GetString().ShouldBe("success");
            await on.WaitForOutputAsync($"TCP door: newline-delimited JSON envelopes on localhost:{on.TcpPort}");
            on.Output.ShouldNotContain("Overriding address");
        }

        var port = ServerProcess.FreePort();
        await using var off = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["McpApi:Tcp:Enabled"] = "false",
            ["McpApi:Tcp:Port"] = port.ToString(),
        });
        using var http = off.CreateClient();
        (await http.PostEnvelopeAsync(new { model = "echo", data = "http still works" })).Status.ShouldBe("success");
        using var client = new TcpClient();
        await Should.ThrowAsync<SocketException>(() => client.ConnectAsync("127.0.0.1", port));
    }

    [Fact]
    public async Task PythonTcpClientSendsEnvelopesAndReportsErrorsAgainstTheRealServer()
    {
        await using var server = await ServerProcess.StartAsync();

        using var send = Python(server.TcpPort, "send", """{"model":"echo","context":"user","data":"Hello, world!"}""");
        (await send.WaitAsync(TimeSpan.FromSeconds(20))).ShouldBe(0, send.Stderr);
        var reply = JsonDocument.Parse(send.StdoutLines.Single()).RootElement;
        reply.GetProperty("status").GetString().ShouldBe("success");
        reply.GetProperty("id").GetString().ShouldBe("py-1");
        reply.GetProperty("data").GetProperty("echo").GetProperty("data").GetString().ShouldBe("Hello, world!");

        using var wrong = Python(server.TcpPort, "send", """{"model":"nope"}""");
        (await wrong.WaitAsync(TimeSpan.FromSeconds(20))).ShouldBe(1);
        JsonDocument.Parse(wrong.StdoutLines.Single()).RootElement.GetProperty("data").GetProperty("code").GetString().ShouldBe("unknown_model");

        using var subscribe = Python(server.TcpPort, "subscribe", "echo:x", "--timeout", "0.5");
        (await subscribe.WaitAsync(TimeSpan.FromSeconds(20))).ShouldBe(0, subscribe.Stderr);
        JsonDocument.Parse(subscribe.StdoutLines[0]).RootElement.GetProperty("data").GetProperty("topics")[0].GetString().ShouldBe("echo:x");
    }

    [Fact]
    public async Task PythonTcpClientReceivesChatPostedOverHttp()
    {
        await using var server = await ServerProcess.StartAsync();
        using var subscriber = Python(server.TcpPort, "subscribe", "chat:lobby", "--count", "1", "--timeout", "20");
        await subscriber.WaitForLinesAsync(1, TimeSpan.FromSeconds(20)); // subscribed

        using var http = server.CreateClient();
        (await http.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "lobby" }, data = "hello python" })).Status.ShouldBe("success");

        (await subscriber.WaitAsync(TimeSpan.FromSeconds(20))).ShouldBe(0, subscriber.Stderr);
        var pushed = JsonDocument.Parse(subscriber.StdoutLines[1]).RootElement;
        pushed.GetProperty("message").GetString().ShouldBe("chat.message");
        pushed.GetProperty("data").GetProperty("text").GetString().ShouldBe("hello python");
    }

    [Fact]
    public async Task ChatPostedOverHttpIsPushedToWebSocketSseAndTcpSubscribers()
    {
        await using var server = await ServerProcess.StartAsync();
        using var http = server.CreateClient();
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/mcp/ws"), CancellationToken.None);
        using var ws = new WsTestClient(socket);
        (await ws.ReplyAsync(new { model = "subscribe", data = new { topics = new[] { "chat:lobby" } } })).GetProperty("status").GetString().ShouldBe("success");
        using var tcp = await TcpTestClient.ConnectAsync(server.TcpPort);
        (await tcp.ReplyAsync("""{"model":"subscribe","data":{"topics":["chat:lobby"]}}""")).GetProperty("status").GetString().ShouldBe("success");
        var (_, sse) = await SseDoorTests.OpenAsync(http, "chat:lobby");
        (await SseDoorTests.NextAsync(sse)).EventType.ShouldBe("ready");

        var posted = await http.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "lobby" }, data = "hi everyone" });
        posted.Status.ShouldBe("success");
        var id = posted.Data.GetProperty("id").GetInt64();

        var viaWs = await ws.NextEventAsync();
        var viaTcp = await tcp.NextEventAsync();
        var viaSse = await SseDoorTests.NextAsync(sse);
        foreach (var pushed in new[] { viaWs, viaTcp, JsonDocument.Parse(viaSse.Data).RootElement })
        {
            pushed.GetProperty("message").GetString().ShouldBe("chat.message");
            pushed.GetProperty("cursor").GetInt64().ShouldBe(id);
            pushed.GetProperty("data").GetProperty("text").GetString().ShouldBe("hi everyone");
            pushed.GetProperty("data").GetProperty("user").GetString().ShouldBe("ana");
        }
        viaSse.EventId.ShouldBe($"chat:lobby={id}");
    }

    [Fact]
    public async Task ChatPostedWithCurlReachesWebSocketCurlSseAndTcpSubscribers()
    {
        await using var server = await ServerProcess.StartAsync();
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/mcp/ws"), CancellationToken.None);
        using var ws = new WsTestClient(socket);
        await ws.ReplyAsync(new { model = "subscribe", data = new { topics = new[] { "chat:lobby" } } });
        using var tcp = await TcpTestClient.ConnectAsync(server.TcpPort);
        await tcp.ReplyAsync("""{"model":"subscribe","data":{"topics":["chat:lobby"]}}""");
        using var sse = ChildProcess.Start("curl", ["-sN", "--max-time", "20", $"{server.BaseAddress}mcp/events?topics=chat:lobby"]);
        await WaitForAsync(() => sse.Stdout.Contains("event: ready"), sse);

        var posted = await ExternalProcess.RunAsync("curl", ["-sS", "-H", "Content-Type: application/json",
            "-d", """{"model":"chat","context":"user","data":"Hello, world!"}""", $"{server.BaseAddress}mcp"], TimeSpan.FromSeconds(20));

        posted.ExitCode.ShouldBe(0, posted.ToString());
        posted.Output.ShouldContain("\"status\":\"success\"");
        (await ws.NextEventAsync()).GetProperty("data").GetProperty("text").GetString().ShouldBe("Hello, world!");
        (await tcp.NextEventAsync()).GetProperty("data").GetProperty("user").GetString().ShouldBe("user");
        await WaitForAsync(() => sse.Stdout.Contains("event: chat.message") && sse.Stdout.Contains("Hello, world!"), sse);
    }

    private static async Task WaitForAsync(Func<bool> condition, ChildProcess process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"curl -N did not show the expected event.\nstdout:\n{process.Stdout}\nstderr:\n{process.Stderr}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task MovePlayedOverTcpReachesTheOtherPlayersWebSocket()
    {
        await using var server = await ServerProcess.StartAsync();
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/mcp/ws"), CancellationToken.None);
        using var bo = new WsTestClient(socket);
        using var ana = await TcpTestClient.ConnectAsync(server.TcpPort);
        (await ana.ReplyAsync("""{"model":"move","action":"new","data":{"id":"g-tcp"}}""")).GetProperty("status").GetString().ShouldBe("success");
        (await ana.ReplyAsync("""{"model":"move","action":"join","context":{"game":"g-tcp","player":"ana"}}""")).GetProperty("status").GetString().ShouldBe("success");
        (await bo.ReplyAsync(new { model = "move", action = "join", context = new { game = "g-tcp", player = "bo" } })).GetProperty("status").GetString().ShouldBe("success");
        (await bo.ReplyAsync(new { model = "subscribe", data = new { topics = new[] { "move:g-tcp" } } })).GetProperty("status").GetString().ShouldBe("success");

        var played = await ana.ReplyAsync("""{"model":"move","action":"play","context":{"game":"g-tcp","player":"ana"},"data":{"cell":4}}""");
        played.GetProperty("status").GetString().ShouldBe("success", played.ToString());

        var pushed = await bo.NextEventAsync();
        pushed.GetProperty("message").GetString().ShouldBe("move.played");
        pushed.GetProperty("topic").GetString().ShouldBe("move:g-tcp");
        pushed.GetProperty("data").GetProperty("board")[4].GetString().ShouldBe("X");
        pushed.GetProperty("data").GetProperty("turn").GetString().ShouldBe("O");
    }

    private static ChildProcess Python(int port, params string[] arguments) =>
        ChildProcess.Start("/usr/bin/python3", ["clients/python/tcp_client.py", "--port", port.ToString(), .. arguments]);
}
