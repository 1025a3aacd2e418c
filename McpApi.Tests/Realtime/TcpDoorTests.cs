using System.Net.Sockets;
using System.Text;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Realtime;

public sealed class TcpDoorTests : IDisposable
{
    private readonly RealtimeServer _server = new(new()
    {
        ["McpApi:Realtime:MaxMessageBytes"] = "2048",
        ["McpApi:Realtime:SubscriberQueueCapacity"] = "64",
        ["McpApi:Realtime:DisconnectGraceSeconds"] = "20",
    });

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task EachLineIsAnsweredByOneLineWithItsIdEchoed()
    {
        using var tcp = await TcpTestClient.ConnectAsync(_server.TcpPort);

        var reply = await tcp.ReplyAsync("""{"id":"a","model":"echo","context":"user","data":"Hello, world!"}""");
        reply.GetProperty("id").GetString().ShouldBe("a");
        reply.GetProperty("status").GetString().ShouldBe("success");
        reply.GetProperty("data").GetProperty("echo").GetProperty("data").GetString().ShouldBe("Hello, world!");

        await tcp.SendLineAsync("""{"id":1,"model":"echo","data":1}""" + "\r\n" + """{"id":2,"model":"echo","data":2}""");
        (await tcp.ReadAsync())!.Value.GetProperty("id").GetInt32().ShouldBe(1);
        (await tcp.ReadAsync())!.Value.GetProperty("id").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task MalformedAndOversizedLinesGetErrorLinesAndTheConnectionStaysUsable()
    {
        using var tcp = await TcpTestClient.ConnectAsync(_server.TcpPort);

        var malformed = await tcp.ReplyAsync("this is not json");
        malformed.GetProperty("status").GetString().ShouldBe("error");
        malformed.GetProperty("data").GetProperty("code").GetString().ShouldBe("malformed_json");

        var notObject = await tcp.ReplyAsync("[1,2]");
        notObject.GetProperty("data").GetProperty("code").GetString().ShouldBe("envelope_not_object");

        var oversized = await tcp.ReplyAsync("{\"model\":\"echo\",\"data\":\"" + new string('x', 10_000) + "\"}");
        oversized.GetProperty("data").GetProperty("code").GetString().ShouldBe("payload_too_large");
        oversized.GetProperty("message").GetString()!.ShouldContain("line is larger than the 2048 byte limit");

        var invalid = await tcp.ReplyAsync("""{"id":"p","model":"move","action":"play","context":{"game":"nope","player":"ana"},"data":{"cell":12}}""");
        invalid.GetProperty("id").GetString().ShouldBe("p");
        invalid.GetProperty("data").GetProperty("code").GetString().ShouldBe("validation_failed");

        var fine = await tcp.ReplyAsync("""{"model":"echo","data":"still here"}""");
        fine.GetProperty("status").GetString().ShouldBe("success");
    }

    [Fact]
    public async Task SubscribedConnectionReceivesEventsFromOtherDoorsAsLines()
    {
        using var tcp = await TcpTestClient.ConnectAsync(_server.TcpPort);
        var subscribed = await tcp.ReplyAsync("""{"model":"subscribe","data":{"topics":["chat:lobby"]}}""");
        subscribed.GetProperty("status").GetString().ShouldBe("success");

        using var ws = new WsTestClient(await _server.ConnectWebSocketAsync());
        var sent = await ws.ReplyAsync(new { model = "chat", context = new { user = "bo", room = "lobby" }, data = "from a websocket" });
        sent.GetProperty("status").GetString().ShouldBe("success");

        var pushed = await tcp.NextEventAsync();
        pushed.GetProperty("message").GetString().ShouldBe("chat.message");
        pushed.GetProperty("topic").GetString().ShouldBe("chat:lobby");
        pushed.GetProperty("data").GetProperty("text").GetString().ShouldBe("from a websocket");
        pushed.GetProperty("data").GetProperty("user").GetString().ShouldBe("bo");
    }

    [Fact]
    public async Task SlowConnectionGetsAFinalOverflowLineAndIsClosed()
    {
        using var slow = await TcpTestClient.ConnectAsync(_server.TcpPort);
        (await slow.ReplyAsync("""{"model":"subscribe","data":{"topics":["flood:t"]}}""")).GetProperty("status").GetString().ShouldBe("success");
        using var http = _server.CreateClient();

        var flood = await http.PostEnvelopeAsync(new { model = "flood", data = new { topic = "flood:t", count = 400, size = 64 * 1024, batch = 4, pauseMs = 5 } });
        flood.Status.ShouldBe("success");

        var events = 0;
        System.Text.Json.JsonElement? last = null;
        while (await slow.ReadAsync(TimeSpan.FromSeconds(20)) is { } line)
        {
            last = line;
            if (line.GetProperty("status").GetString() == "event")
                events++;
        }
        events.ShouldBeLessThan(400);
        last.ShouldNotBeNull().GetProperty("status").GetString().ShouldBe("error");
        last.Value.GetProperty("data").GetProperty("code").GetString().ShouldBe("event_queue_overflow");
    }

    [Fact]
    public async Task ClientThatHalfClosesStillGetsRepliesToEveryLineItSentThenTheConnectionEnds()
    {
        using var tcp = await TcpTestClient.ConnectAsync(_server.TcpPort);
        var stream = tcp.Client.GetStream();

        // What `printf '...' | nc -N host 5050` does: send, then shut down the sending side and read the replies.
        var lines = Enumerable.Range(1, 50).Select(i => $$"""{"id":{{i}},"model":"echo","data":"line {{i}}"}""");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(string.Join("\n", lines))); // the last line has no newline
        tcp.Client.Client.Shutdown(SocketShutdown.Send);

        for (var i = 1; i <= 50; i++)
        {
            var reply = (await tcp.ReadAsync()).ShouldNotBeNull($"reply {i} is missing");
            reply.GetProperty("id").GetInt32().ShouldBe(i);
            reply.GetProperty("data").GetProperty("echo").GetProperty("data").GetString().ShouldBe($"line {i}");
        }
        (await tcp.ReadAsync()).ShouldBeNull();
    }

    [Fact]
    public async Task OversizedLastLineWithoutANewlineGetsPayloadTooLargeBeforeTheConnectionEnds()
    {
        using var tcp = await TcpTestClient.ConnectAsync(_server.TcpPort);

        await tcp.Client.GetStream().WriteAsync(Encoding.UTF8.GetBytes("{\"model\":\"echo\",\"data\":\"" + new string('x', 10_000) + "\"}"));
        tcp.Client.Client.Shutdown(SocketShutdown.Send);

        var reply = (await tcp.ReadAsync()).ShouldNotBeNull("the oversized last line got no reply");
        reply.GetProperty("status").GetString().ShouldBe("error");
        reply.GetProperty("data").GetProperty("code").GetString().ShouldBe("payload_too_large");
        (await tcp.ReadAsync()).ShouldBeNull();
    }

    [Fact]
    public async Task LineOfExactlyTheLimitIsAnsweredWhenItsCarriageReturnAndNewlineArriveSeparately()
    {
        using var tcp = await TcpTestClient.ConnectAsync(_server.TcpPort);
        tcp.Client.NoDelay = true;
        var stream = tcp.Client.GetStream();
        const string prefix = "{\"id\":7,\"model\":\"echo\",\"data\":\"";
        var line = prefix + new string('x', 2048 - prefix.Length - 2) + "\"}";
        line.Length.ShouldBe(2048);

        await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r"));
        await Task.Delay(300);
        await stream.WriteAsync("\n"u8.ToArray());

        var reply = (await tcp.ReadAsync()).ShouldNotBeNull();
        reply.GetProperty("id").GetInt32().ShouldBe(7);
        reply.GetProperty("status").GetString().ShouldBe("success");

        // One byte more is over the limit, with or without the '\r'.
        var over = await tcp.ReplyAsync(line.Insert(prefix.Length, "x") + "\r");
        over.GetProperty("data").GetProperty("code").GetString().ShouldBe("payload_too_large");
    }

    [Fact]
    public async Task LinesThatAreNotUtf8GetMalformedJsonAndTheConnectionStaysUsable()
    {
        using var tcp = await TcpTestClient.ConnectAsync(_server.TcpPort);
        var stream = tcp.Client.GetStream();

        // 0xC3 starts a two-byte sequence that never ends: in a property name it used to drop the connection.
        // Latin-1 writes each char below 256 as that one byte.
        foreach (var line in new[] { "{\"\u00C3\":1}\n", "{\"model\":\"echo\",\"data\":\"\u00FF\u00FE\"}\n" })
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(line));
            var reply = (await tcp.ReadAsync()).ShouldNotBeNull("the connection closed instead of replying");
            reply.GetProperty("status").GetString().ShouldBe("error");
            reply.GetProperty("data").GetProperty("code").GetString().ShouldBe("malformed_json");
            reply.GetProperty("message").GetString()!.ShouldContain("UTF-8");
        }

        (await tcp.ReplyAsync("""{"model":"echo","data":"still here"}""")).GetProperty("status").GetString().ShouldBe("success");
    }
}
