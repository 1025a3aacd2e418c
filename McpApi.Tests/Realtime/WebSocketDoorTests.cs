using System.Net;
using System.Net.WebSockets;
using System.Text;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Realtime;

public sealed class WebSocketDoorTests : IDisposable
{
    private readonly RealtimeServer _server = new(new()
    {
        ["McpApi:Realtime:MaxMessageBytes"] = "2048",
        ["McpApi:Realtime:SubscriberQueueCapacity"] = "64",
        ["McpApi:Realtime:DisconnectGraceSeconds"] = "20",
    });

    public void Dispose() => _server.Dispose();

    private async Task<WsTestClient> ConnectAsync() => new(await _server.ConnectWebSocketAsync());

    [Fact]
    public async Task EnvelopeOverWebSocketIsAnsweredWithItsIdEchoed()
    {
        using var ws = await ConnectAsync();

        var reply = await ws.ReplyAsync(new { id = "r1", model = "echo", context = "user", data = "Hello, world!" });

        reply.GetProperty("id").GetString().ShouldBe("r1");
        reply.GetProperty("status").GetString().ShouldBe("success");
        reply.GetProperty("data").GetProperty("echo").GetProperty("data").GetString().ShouldBe("Hello, world!");
        var numbered = await ws.ReplyAsync(new { id = 42, model = "chat", context = new { user = "ana", room = "lobby" }, data = "hi" });
        numbered.GetProperty("id").GetInt32().ShouldBe(42);
        numbered.GetProperty("data").GetProperty("text").GetString().ShouldBe("hi");
    }

    [Fact]
    public async Task AnEventsTimeIsWhenTheMessageWasSentWrittenAsUtcWithMilliseconds()
    {
        using var ws = await ConnectAsync();
        (await ws.ReplyAsync(new { model = "subscribe", data = new { topics = new[] { "chat:clock" } } })).GetProperty("status").GetString().ShouldBe("success");

        await ws.SendAsync(new { id = "t1", model = "chat", context = new { user = "ana", room = "clock" }, data = "tick" });
        // The event and the reply may arrive in either order.
        var messages = new[] { await ws.ReceiveAsync(), await ws.ReceiveAsync() }.Select(m => m!.Value).ToArray();
        var sent = messages.Single(m => m.GetProperty("status").GetString() == "success");
        var pushed = messages.Single(m => m.GetProperty("status").GetString() == "event");

        var sentAt = sent.GetProperty("data").GetProperty("sentAt").GetString()!;
        sentAt.ShouldMatch(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$");
        pushed.GetProperty("at").GetString().ShouldBe(sentAt);
    }

    [Fact]
    public async Task MalformedBinaryAndOversizedMessagesGetErrorsAndTheSocketStaysUsable()
    {
        using var ws = await ConnectAsync();

        var malformed = await ws.ReplyAsync("{\"model\":");
        malformed.GetProperty("status").GetString().ShouldBe("error");
        malformed.GetProperty("data").GetProperty("code").GetString().ShouldBe("malformed_json");

        var wrongType = await ws.ReplyAsync("""{"id":"x1","model":5}""");
        wrongType.GetProperty("id").GetString().ShouldBe("x1");
        wrongType.GetProperty("data").GetProperty("code").GetString().ShouldBe("invalid_envelope");

        await ws.Socket.SendAsync(Encoding.UTF8.GetBytes("{}"), WebSocketMessageType.Binary, true, CancellationToken.None);
        var binary = await ws.ReceiveAsync();
        binary!.Value.GetProperty("data").GetProperty("code").GetString().ShouldBe("unsupported_frame");

        var oversized = await ws.ReplyAsync(new { model = "echo", data = new string('x', 5000) });
        oversized.GetProperty("data").GetProperty("code").GetString().ShouldBe("payload_too_large");
        oversized.GetProperty("message").GetString()!.ShouldContain("2048 byte limit");

        var unknown = await ws.ReplyAsync(new { model = "nope" });
        unknown.GetProperty("data").GetProperty("code").GetString().ShouldBe("unknown_model");

        var fine = await ws.ReplyAsync(new { model = "echo", data = "still here" });
        fine.GetProperty("status").GetString().ShouldBe("success");
        ws.Socket.State.ShouldBe(WebSocketState.Open);
    }

    [Fact]
    public async Task SubscriberReceivesChatPostedOverHttpUntilItUnsubscribes()
    {
        using var ws = await ConnectAsync();
        var subscribed = await ws.ReplyAsync(new { id = 1, model = "subscribe", data = new { topics = new[] { "chat:lobby", "move:g1" } } });
        subscribed.GetProperty("status").GetString().ShouldBe("success");
        subscribed.GetProperty("data").GetProperty("topics").EnumerateArray().Select(t => t.GetString()).ShouldBe(["chat:lobby", "move:g1"]);

        using var http = _server.CreateClient();
        var posted = await http.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "lobby" }, data = "over http" });
        posted.Status.ShouldBe("success");

        var pushed = await ws.NextEventAsync(TimeSpan.FromSeconds(2));
        pushed.GetProperty("message").GetString().ShouldBe("chat.message");
        pushed.GetProperty("topic").GetString().ShouldBe("chat:lobby");
        pushed.GetProperty("cursor").GetInt64().ShouldBe(posted.Data.GetProperty("id").GetInt64());
        pushed.GetProperty("data").GetProperty("text").GetString().ShouldBe("over http");
        pushed.GetProperty("data").GetProperty("user").GetString().ShouldBe("ana");

        var removed = await ws.ReplyAsync(new { model = "subscribe", action = "remove", data = new { topics = new[] { "chat:lobby" } } });
        removed.GetProperty("data").GetProperty("topics").EnumerateArray().Select(t => t.GetString()).ShouldBe(["move:g1"]);
        await http.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "lobby" }, data = "not delivered" });
        var listed = await ws.ReplyAsync(new { model = "subscribe", action = "list" });
        listed.GetProperty("status").GetString().ShouldBe("success"); // the reply, not the unsubscribed event, comes next
    }

    [Fact]
    public async Task InvalidSubscriptionsAreRejectedWithReasons()
    {
        using var ws = await ConnectAsync();

        var badTopic = await ws.ReplyAsync(new { model = "subscribe", data = new { topics = new[] { "lobby", "nomodel:x" } } });
        badTopic.GetProperty("data").GetProperty("code").GetString().ShouldBe("invalid_topic");
        badTopic.GetProperty("message").GetString()!.ShouldContain("'lobby' is not {model}:{scope}");
        badTopic.GetProperty("message").GetString()!.ShouldContain("names no model 'nomodel'");

        var noTopics = await ws.ReplyAsync(new { model = "subscribe", data = new { } });
        noTopics.GetProperty("data").GetProperty("code").GetString().ShouldBe("validation_failed");
        noTopics.GetProperty("data").GetProperty("errors").GetProperty("data.topics")[0].GetString()!.ShouldContain("non-empty array");

        var badAction = await ws.ReplyAsync(new { model = "subscribe", action = "explode" });
        badAction.GetProperty("data").GetProperty("code").GetString().ShouldBe("unknown_action");
    }

    [Fact]
    public async Task PlainGetOnTheWebSocketEndpointGetsAnErrorEnvelope()
    {
        using var http = _server.CreateClient();
        var response = await http.GetAsync("/mcp/ws");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var body = await EnvelopeClient.ReadAsync(response);
        body.Code.ShouldBe("websocket_required");
    }

    [Fact]
    public async Task SlowSubscriberIsClosedWith1008WhileWritersAndOtherSubscribersCarryOn()
    {
        using var slow = await ConnectAsync();
        using var fast = await ConnectAsync();
        await slow.ReplyAsync(new { model = "subscribe", data = new { topics = new[] { "flood:a" } } });
        await fast.ReplyAsync(new { model = "subscribe", data = new { topics = new[] { "flood:a" } } });
        using var http = _server.CreateClient();

        // 400 events of 64 KB in 25 posts of 16: far more than the socket buffers and the 64-event queue hold while
        // "slow" reads nothing. Each post waits until "fast" has read the previous one, so "fast" keeps up however
        // loaded the machine is — and every post returning while "slow" reads nothing shows publishing never waits
        // for a slow subscriber.
        var seen = 0;
        for (var first = 1; first <= 400; first += 16)
        {
            var flood = await http.PostEnvelopeAsync(new { model = "flood", data = new { topic = "flood:a", count = 16, first, size = 64 * 1024 } });
            flood.Status.ShouldBe("success");
            while (seen < first + 15)
            {
                var e = await fast.NextEventAsync(TimeSpan.FromSeconds(20));
                e.GetProperty("data").GetProperty("n").GetInt32().ShouldBe(seen + 1);
                seen++;
            }
        }
        seen.ShouldBe(400);

        // The slow one gets what was already on its way, then the reason and the close frame.
        var received = 0;
        JsonElementHolder? notice = null;
        while (await slow.ReceiveAsync(TimeSpan.FromSeconds(20)) is { } message)
        {
            if (message.GetProperty("status").GetString() == "error")
                notice = new(message);
            else
                received++;
            received.ShouldBeLessThan(400);
        }
        slow.Socket.CloseStatus.ShouldBe(WebSocketCloseStatus.PolicyViolation);
        slow.Socket.CloseStatusDescription!.ShouldContain("event_queue_overflow");
        notice.ShouldNotBeNull().Value.GetProperty("data").GetProperty("code").GetString().ShouldBe("event_queue_overflow");
    }

    private sealed record JsonElementHolder(System.Text.Json.JsonElement Value);

    [Fact]
    public async Task ConnectionsOverTheRateLimitGetRateLimitedRepliesAndStayOpen()
    {
        using var limited = new RealtimeServer(new() { ["McpApi:Realtime:MessagesPerSecond"] = "1", ["McpApi:Realtime:MessageBurst"] = "3" });
        using var ws = new WsTestClient(await limited.ConnectWebSocketAsync());

        var codes = new List<string?>();
        for (var i = 0; i < 6; i++)
        {
            var reply = await ws.ReplyAsync(new { id = i, model = "echo", data = i });
            codes.Add(reply.GetProperty("status").GetString() == "success" ? "ok" : reply.GetProperty("data").GetProperty("code").GetString());
        }

        codes.Take(3).ShouldAllBe(c => c == "ok");
        codes.ShouldContain("rate_limited");
        ws.Socket.State.ShouldBe(WebSocketState.Open);
    }
}
