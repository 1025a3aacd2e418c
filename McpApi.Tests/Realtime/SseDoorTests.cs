using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Realtime;

public sealed partial class SseDoorTests : IDisposable
{
    private readonly RealtimeServer _server = new(new()
    {
        ["McpApi:Realtime:SubscriberQueueCapacity"] = "64",
        ["McpApi:Realtime:DisconnectGraceSeconds"] = "20",
    });

    public void Dispose() => _server.Dispose();

    internal static async Task<(HttpResponseMessage Response, IAsyncEnumerator<SseItem<string>> Events)> OpenAsync(
        HttpClient http, string topics, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/mcp/events?topics={topics}");
        if (lastEventId is not null)
            request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var stream = await response.Content.ReadAsStreamAsync();
        return (response, SseParser.Create(stream).EnumerateAsync().GetAsyncEnumerator());
    }

    internal static async Task<SseItem<string>> NextAsync(IAsyncEnumerator<SseItem<string>> events, string? skip = "keepalive")
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var next = events.MoveNextAsync().AsTask();
            (await Task.WhenAny(next, Task.Delay(Timeout.Infinite, timeout.Token)).ConfigureAwait(false)).ShouldBe(next, "an event arrives in time");
            (await next).ShouldBeTrue("the stream is still open");
            if (events.Current.EventType != skip)
                return events.Current;
        }
    }

    [Fact]
    public async Task StreamSaysReadyThenDeliversChatPostedOverHttpWithCursorIds()
    {
        using var http = _server.CreateClient();
        var (response, events) = await OpenAsync(http, "chat:lobby,move:g1");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");

        var ready = await NextAsync(events);
        ready.EventType.ShouldBe("ready");
        JsonDocument.Parse(ready.Data).RootElement.GetProperty("data").GetProperty("topics").GetArrayLength().ShouldBe(2);

        var posted = await http.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "lobby" }, data = "to sse" });
        var item = await NextAsync(events);
        item.EventType.ShouldBe("chat.message");
        item.EventId.ShouldBe($"chat:lobby={posted.Data.GetProperty("id").GetInt64()}");
        var body = JsonDocument.Parse(item.Data).RootElement;
        body.GetProperty("status").GetString().ShouldBe("event");
        body.GetProperty("topic").GetString().ShouldBe("chat:lobby");
        body.GetProperty("data").GetProperty("text").GetString().ShouldBe("to sse");
    }

    [Fact]
    public async Task ReconnectingWithLastEventIdReplaysTheMissedChatMessagesOnce()
    {
        using var http = _server.CreateClient();
        var first = await http.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "replay" }, data = "seen" });
        var firstId = first.Data.GetProperty("id").GetInt64();
        await http.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "replay" }, data = "missed 1" });
        await http.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "other" }, data = "other room" });
        await http.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "replay" }, data = "missed 2" });

        var (_, events) = await OpenAsync(http, "chat:replay", lastEventId: $"chat:replay={firstId}");
        (await NextAsync(events)).EventType.ShouldBe("ready");
        var replayed = new[] { await NextAsync(events), await NextAsync(events) };
        replayed.Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("data").GetProperty("text").GetString()).ShouldBe(["missed 1", "missed 2"]);

        await http.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "replay" }, data = "live" });
        JsonDocument.Parse((await NextAsync(events)).Data).RootElement.GetProperty("data").GetProperty("text").GetString().ShouldBe("live");
    }

    [Fact]
    public async Task EventsCarryTheTimeTheMessageWasSentAsUtcWithMillisecondsLiveAndReplayed()
    {
        using var http = _server.CreateClient();
        var (_, live) = await OpenAsync(http, "chat:times");
        (await NextAsync(live)).EventType.ShouldBe("ready");
        var first = await http.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "times" }, data = "first" });
        var second = await http.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "times" }, data = "second" });
        var sentAt = new[] { first, second }.Select(r => r.Data.GetProperty("sentAt").GetString()!).ToArray();
        sentAt.ShouldAllBe(at => UtcMilliseconds().IsMatch(at));

        var liveAt = new[] { await NextAsync(live), await NextAsync(live) }.Select(At).ToArray();
        liveAt.ShouldBe(sentAt, "a live event's at is when the message was sent, written like every other timestamp");

        var (_, replay) = await OpenAsync(http, "chat:times", lastEventId: $"chat:times={first.Data.GetProperty("id").GetInt64() - 1}");
        (await NextAsync(replay)).EventType.ShouldBe("ready");
        var replayedAt = new[] { await NextAsync(replay), await NextAsync(replay) }.Select(At).ToArray();
        replayedAt.ShouldBe(sentAt, "a replayed event keeps the time it happened, not the time of the replay");
    }

    private static string At(SseItem<string> item) => JsonDocument.Parse(item.Data).RootElement.GetProperty("at").GetString()!;

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial System.Text.RegularExpressions.Regex UtcMilliseconds();

    [Theory]
    [InlineData("/mcp/events", HttpStatusCode.BadRequest, "invalid_topic")]
    [InlineData("/mcp/events?topics=lobby", HttpStatusCode.UnprocessableEntity, "invalid_topic")]
    [InlineData("/mcp/events?topics=ghost:x", HttpStatusCode.UnprocessableEntity, "invalid_topic")]
    [InlineData("/mcp/events?topics=chat:*", HttpStatusCode.UnprocessableEntity, "invalid_topic")] // the hub's every-room topic is MCP's (chat://rooms)
    public async Task MissingOrInvalidTopicsGetAnErrorEnvelope(string path, HttpStatusCode status, string code)
    {
        using var http = _server.CreateClient();
        var reply = await EnvelopeClient.ReadAsync(await http.GetAsync(path));

        reply.StatusCode.ShouldBe(status);
        reply.Code.ShouldBe(code);
        reply.Message.ShouldContain("chat:lobby");
    }

    [Fact]
    public async Task UnreadableLastEventIdGetsAnErrorEnvelope()
    {
        using var http = _server.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/mcp/events?topics=chat:lobby");
        request.Headers.Add("Last-Event-ID", "yesterday");

        var reply = await EnvelopeClient.ReadAsync(await http.SendAsync(request));

        reply.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        reply.Code.ShouldBe("invalid_last_event_id");
    }

    [Fact]
    public async Task SlowStreamGetsAFinalClosedEventSayingItOverflowed()
    {
        using var http = _server.CreateClient();
        var (_, events) = await OpenAsync(http, "flood:s");
        (await NextAsync(events)).EventType.ShouldBe("ready");

        var flood = await http.PostEnvelopeAsync(new { model = "flood", data = new { topic = "flood:s", count = 400, size = 64 * 1024, batch = 4, pauseMs = 5 } });
        flood.Status.ShouldBe("success");

        SseItem<string> last = default;
        var count = 0;
        while (await events.MoveNextAsync())
        {
            last = events.Current;
            count++;
            count.ShouldBeLessThan(400);
        }
        last.EventType.ShouldBe("closed");
        JsonDocument.Parse(last.Data).RootElement.GetProperty("data").GetProperty("code").GetString().ShouldBe("event_queue_overflow");
    }
}
