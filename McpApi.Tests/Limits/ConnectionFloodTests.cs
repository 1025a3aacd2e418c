using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Limits;

/// <summary>
/// Issue 10 defect 1 and the connection-flood check: each door holds at most its configured number of connections
/// (small here), refuses the next one with a message naming the setting, and the server keeps answering
/// <c>/health</c> and an echo meanwhile. Waits are generous: nothing here measures speed.
/// </summary>
public sealed class ConnectionFloodTests
{
    private const string Echo = """{"model":"echo","action":"echo","data":{"text":"still here"}}""";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TheTcpDoorRefusesConnectionsPastItsCapWithALineNamingTheSetting()
    {
        await using var server = await StartAsync(("MaxTcp", "3"));
        var held = new List<TcpTestClient>();
        for (var i = 0; i < 3; i++)
        {
            held.Add(await TcpTestClient.ConnectAsync(server.TcpPort));
            // Answered, so counted: connections are set up concurrently, and the extra one must come last.
            (await held[i].ReplyAsync(Echo)).GetProperty("status").GetString().ShouldBe("success");
        }

        using var extra = await TcpTestClient.ConnectAsync(server.TcpPort);
        var refusal = await extra.ReadAsync(Patience) ?? throw new ShouldAssertException("The extra connection closed without a line.");
        refusal.GetProperty("status").GetString().ShouldBe("error");
        refusal.GetProperty("data").GetProperty("code").GetString().ShouldBe("too_many_connections");
        refusal.GetProperty("message").GetString()!.ShouldContain("McpApi:Connections:MaxTcp");
        (await extra.ReadAsync(Patience)).ShouldBeNull(); // then closed

        await ShouldStillAnswerAsync(server);
        (await held[2].ReplyAsync(Echo)).GetProperty("status").GetString().ShouldBe("success");
        held.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task TheTcpDoorRefusesOneClientPastItsShareWhileAnotherClientConnects()
    {
        await using var server = await StartAsync(("MaxPerClient", "2"));
        using var first = await LoopbackSources.ConnectAsync(server.TcpPort, LoopbackSources.Other);
        (await EchoOverAsync(first) ?? "").ShouldContain("success"); // answered, so counted before the next one connects
        using var second = await LoopbackSources.ConnectAsync(server.TcpPort, LoopbackSources.Other);
        (await EchoOverAsync(second) ?? "").ShouldContain("success");
        using var third = await LoopbackSources.ConnectAsync(server.TcpPort, LoopbackSources.Other);

        var refusal = await ReadLineAsync(third);
        refusal.ShouldNotBeNull();
        refusal.ShouldContain("too_many_connections");
        refusal.ShouldContain("McpApi:Connections:MaxPerClient");
        using var other = await TcpTestClient.ConnectAsync(server.TcpPort); // from 127.0.0.1
        (await other.ReplyAsync(Echo)).GetProperty("status").GetString().ShouldBe("success");
    }

    [Fact]
    public async Task WebSocketsAndEventStreamsPastTheirCapsAreRefusedWithAnEnvelope()
    {
        await using var server = await StartAsync(("MaxWebSockets", "2"), ("MaxEventStreams", "2"));
        var sockets = new List<ClientWebSocket>();
        for (var i = 0; i < 2; i++)
            sockets.Add(await ConnectWebSocketAsync(server));
        var streams = new List<(HttpClient Client, HttpResponseMessage Response)>();
        for (var i = 0; i < 2; i++)
            streams.Add(await OpenEventStreamAsync(server));
        streams.ShouldAllBe(s => s.Response.StatusCode == HttpStatusCode.OK);

        var extraSocket = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };
        await Should.ThrowAsync<WebSocketException>(() => extraSocket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/mcp/ws"), CancellationToken.None));
        extraSocket.HttpStatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);

        var (extraClient, extraStream) = await OpenEventStreamAsync(server);
        extraStream.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var refusal = await EnvelopeClient.ReadAsync(extraStream);
        refusal.Code.ShouldBe("too_many_connections");
        refusal.Message.ShouldContain("McpApi:Connections:MaxEventStreams");

        await ShouldStillAnswerAsync(server);
        using var ws = new WsTestClient(sockets[1]);
        (await ws.ReplyAsync(Echo)).GetProperty("status").GetString().ShouldBe("success");

        // A closed stream frees its place.
        streams[0].Response.Dispose();
        streams[0].Client.Dispose();
        await WaitUntilAsync(async () =>
        {
            var (client, response) = await OpenEventStreamAsync(server);
            using (client)
            using (response)
                return response.StatusCode == HttpStatusCode.OK;
        });
        extraClient.Dispose();
    }

    [Fact]
    public async Task AFullHttpDoorStillAnswersHealthAndRefusesOtherRequestsWithAnEnvelope()
    {
        await using var server = await StartAsync(("MaxHttp", "4"), ("HealthReserve", "2"));
        var idle = new List<Socket>();
        for (var i = 0; i < 4; i++)
            idle.Add(await KeptAliveConnectionAsync(server));

        // Past the cap: each new connection serves /health only (one request, then closed).
        using (var health = server.CreateClient())
        {
            var live = await health.GetAsync("/health");
            live.StatusCode.ShouldBe(HttpStatusCode.OK);
            live.Headers.ConnectionClose.ShouldBe(true);
        }
        using (var client = server.CreateClient())
        {
            var refused = await client.PostRawAsync(Echo);
            refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            refused.Code.ShouldBe("too_many_connections");
            refused.Message.ShouldContain("McpApi:Connections:MaxHttp");
        }
        // The TCP door is another door: its echo answers.
        using (var tcp = await TcpTestClient.ConnectAsync(server.TcpPort))
            (await tcp.ReplyAsync(Echo)).GetProperty("status").GetString().ShouldBe("success");

        // Past the reserve too (two silent connections hold it): a bare 503 with the envelope, then the connection closes.
        // Connections are accepted concurrently, so the one asking may be let in before the silent ones: then try again.
        string answer = "";
        for (var attempt = 0; attempt < 10 && !answer.StartsWith("HTTP/1.1 503", StringComparison.Ordinal); attempt++)
        {
            using var silent1 = await LoopbackSources.ConnectAsync(server.Port, IPAddress.Loopback);
            using var silent2 = await LoopbackSources.ConnectAsync(server.Port, IPAddress.Loopback);
            using var late = await LoopbackSources.ConnectAsync(server.Port, IPAddress.Loopback);
            await late.SendAsync(Encoding.ASCII.GetBytes("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            answer = await ReadToEndAsync(late);
        }
        answer.ShouldStartWith("HTTP/1.1 503");
        answer.ShouldContain("too_many_connections");
        answer.ShouldContain("X-Content-Type-Options: nosniff");
        answer.ShouldContain("frame-ancestors 'none'");
        answer.ShouldNotContain("Server:");

        // Closing the idle connections frees the door.
        idle.ForEach(s => s.Dispose());
        await WaitUntilAsync(async () =>
        {
            using var client = server.CreateClient();
            return (await client.PostRawAsync(Echo)).StatusCode == HttpStatusCode.OK;
        });
    }

    [Fact]
    public async Task ATcpClientTricklingALineOrSilentWithoutTopicsIsClosedWithTheReason()
    {
        await using var server = await StartAsync(("TcpLineSeconds", "1"), ("TcpIdleSeconds", "1"), ("TcpFirstLineSeconds", "1"));

        using var trickler = await TcpTestClient.ConnectAsync(server.TcpPort);
        await trickler.Client.GetStream().WriteAsync("\n{\"model\":"u8.ToArray()); // an empty first line, then half a line
        var cut = await trickler.ReadAsync(Patience) ?? throw new ShouldAssertException("Closed without a final line.");
        cut.GetProperty("data").GetProperty("code").GetString().ShouldBe("line_timeout");
        cut.GetProperty("message").GetString()!.ShouldContain("McpApi:Connections:TcpLineSeconds");
        (await trickler.ReadAsync(Patience)).ShouldBeNull();

        using var silent = await TcpTestClient.ConnectAsync(server.TcpPort);
        (await silent.ReplyAsync(Echo)).GetProperty("status").GetString().ShouldBe("success");
        var idle = await silent.ReadAsync(Patience) ?? throw new ShouldAssertException("Closed without a final line.");
        idle.GetProperty("data").GetProperty("code").GetString().ShouldBe("idle_timeout");
        idle.GetProperty("message").GetString()!.ShouldContain("McpApi:Connections:TcpIdleSeconds");

        using var mute = await TcpTestClient.ConnectAsync(server.TcpPort);
        var never = await mute.ReadAsync(Patience) ?? throw new ShouldAssertException("Closed without a final line.");
        never.GetProperty("message").GetString()!.ShouldContain("McpApi:Connections:TcpFirstLineSeconds");
    }

    [Fact]
    public async Task AQuietTcpSubscriberIsNotIdle()
    {
        await using var server = await StartAsync(("TcpIdleSeconds", "1"));
        using var subscriber = await TcpTestClient.ConnectAsync(server.TcpPort);
        (await subscriber.ReplyAsync("""{"model":"subscribe","data":{"topics":["chat:quiet"]}}""")).GetProperty("status").GetString().ShouldBe("success");

        await Task.Delay(TimeSpan.FromSeconds(3)); // three idle periods without a line

        (await subscriber.ReplyAsync(Echo)).GetProperty("status").GetString().ShouldBe("success");
    }

    private static Task<ServerProcess> StartAsync(params (string Key, string Value)[] limits) =>
        ServerProcess.StartAsync(settings: limits.ToDictionary(l => $"McpApi:Connections:{l.Key}", l => l.Value));

    /// <summary>/health and an envelope echo over HTTP, each on a new connection.</summary>
    private static async Task ShouldStillAnswerAsync(ServerProcess server)
    {
        using var client = server.CreateClient();
        (await client.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var echo = await client.PostRawAsync(Echo);
        echo.StatusCode.ShouldBe(HttpStatusCode.OK, echo.ToString());
    }

    private static async Task<ClientWebSocket> ConnectWebSocketAsync(ServerProcess server)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/mcp/ws"), CancellationToken.None);
        return socket;
    }

    /// <summary>An SSE stream on its own client (so its own connection), headers read, body left open.</summary>
    private static async Task<(HttpClient, HttpResponseMessage)> OpenEventStreamAsync(ServerProcess server)
    {
        var client = server.CreateClient();
        client.Timeout = Timeout.InfiniteTimeSpan;
        var response = await client.GetAsync("/mcp/events?topics=chat:lobby", HttpCompletionOption.ResponseHeadersRead);
        return (client, response);
    }

    /// <summary>A connection that asked for /health and stays open (keep-alive): counted by the server for sure.</summary>
    private static async Task<Socket> KeptAliveConnectionAsync(ServerProcess server)
    {
        var socket = await LoopbackSources.ConnectAsync(server.Port, IPAddress.Loopback);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(Patience);
        while (!Complete(received.ToString()))
        {
            var read = await socket.ReceiveAsync(buffer, cts.Token);
            if (read == 0)
                throw new ShouldAssertException($"The server closed a connection within its cap: {received}");
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        received.ToString().ShouldStartWith("HTTP/1.1 200");
        received.ToString().ShouldNotContain("Connection: close");
        return socket;

        // The JSON body arrives whole, or in chunks ending with the zero-length chunk.
        static bool Complete(string response) => response.Contains("\"checks\"", StringComparison.Ordinal)
            && (response.EndsWith('}') || response.EndsWith("0\r\n\r\n", StringComparison.Ordinal));
    }

    private static async Task<string?> EchoOverAsync(Socket socket)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(Echo + "\n"));
        return await ReadLineAsync(socket);
    }

    private static async Task<string?> ReadLineAsync(Socket socket)
    {
        using var reader = new StreamReader(new NetworkStream(socket, ownsSocket: false), Encoding.UTF8);
        using var cts = new CancellationTokenSource(Patience);
        return await reader.ReadLineAsync(cts.Token);
    }

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var cts = new CancellationTokenSource(Patience);
        var buffer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(buffer, cts.Token);
        }
        catch (IOException) when (buffer.Length > 0)
        {
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await condition())
                return;
            await Task.Delay(200);
        }
        throw new ShouldAssertException("The condition never became true within 20 s.");
    }
}
