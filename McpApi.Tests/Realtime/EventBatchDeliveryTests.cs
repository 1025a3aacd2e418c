using System.Net.ServerSentEvents;
using System.Text.Json;
using McpApi.Events;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Realtime;

/// <summary>
/// Events published in a burst queue up and go out in batches (several WebSocket frames, TCP lines or SSE events per
/// socket write); every subscriber still gets every event, in publishing order, with the same bytes.
/// </summary>
public sealed class EventBatchDeliveryTests : IDisposable
{
    private const string Topic = "chat:burst";
    private const int Events = 200;

    private readonly RealtimeServer _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task ABurstOfEventsReachesEverySubscriberOnEveryDoorInOrderWithTheSameContent()
    {
        var subscribe = JsonSerializer.Serialize(new { model = "subscribe", data = new { topics = new[] { Topic } } });
        using var ws = new WsTestClient(await _server.ConnectWebSocketAsync());
        (await ws.ReplyAsync(subscribe)).GetProperty("status").GetString().ShouldBe("success");
        using var tcp = await TcpTestClient.ConnectAsync(_server.TcpPort);
        (await tcp.ReplyAsync(subscribe)).GetProperty("status").GetString().ShouldBe("success");
        using var http = _server.CreateClient();
        var (response, sse) = await SseDoorTests.OpenAsync(http, Topic);
        using var _ = response;
        (await SseDoorTests.NextAsync(sse)).EventType.ShouldBe("ready");

        var hub = _server.Services.GetRequiredService<IEventHub>();
        var published = Enumerable.Range(1, Events)
            .Select(n => new ModelEvent("chat.message", Topic, new { id = n, text = $"message {n} ✓ \"quoted\"\nline" }, Cursor: n))
            .ToArray();
        foreach (var modelEvent in published)
            hub.Publish(modelEvent);

        var expected = published.Select(e => JsonDocument.Parse(Doors.Realtime.RealtimeJson.Encoded(e)).RootElement.GetRawText()).ToArray();
        var overWebSocket = new List<string>();
        var overTcp = new List<string>();
        var overSse = new List<string>();
        var sseIds = new List<string?>();
        for (var i = 0; i < Events; i++)
        {
            overWebSocket.Add((await ws.NextEventAsync()).GetRawText());
            overTcp.Add((await tcp.NextEventAsync()).GetRawText());
            var item = await SseDoorTests.NextAsync(sse);
            item.EventType.ShouldBe("chat.message");
            overSse.Add(JsonDocument.Parse(item.Data).RootElement.GetRawText());
            sseIds.Add(item.EventId);
        }

        overWebSocket.ToArray().ShouldBe(expected, "WebSocket: every event, in order, unchanged");
        overTcp.ToArray().ShouldBe(expected, "TCP: every event, in order, unchanged");
        overSse.ToArray().ShouldBe(expected, "SSE: every event, in order, unchanged");
        sseIds.ShouldBe(Enumerable.Range(1, Events).Select(n => $"{Topic}={n}"));
        await sse.DisposeAsync();
    }

    [Fact]
    public async Task AStreamOfSeveralTopicsGetsIdsWithEveryCursorWhileAOneTopicStreamSharesTheWholeEvent()
    {
        using var http = _server.CreateClient();
        var (both, bothEvents) = await SseDoorTests.OpenAsync(http, "chat:b,chat:a");
        var (one, oneEvents) = await SseDoorTests.OpenAsync(http, "chat:a");
        using var _ = both;
        using var __ = one;
        (await SseDoorTests.NextAsync(bothEvents)).EventType.ShouldBe("ready");
        (await SseDoorTests.NextAsync(oneEvents)).EventType.ShouldBe("ready");

        var hub = _server.Services.GetRequiredService<IEventHub>();
        hub.Publish(new ModelEvent("chat.message", "chat:a", new { id = 5 }, Cursor: 5));
        hub.Publish(new ModelEvent("chat.message", "chat:b", new { id = 3 }, Cursor: 3));
        hub.Publish(new ModelEvent("chat.message", "chat:a", new { id = 6 }, Cursor: 6));

        var seenByBoth = new List<(string? Id, string Data)>();
        for (var i = 0; i < 3; i++)
        {
            var item = await SseDoorTests.NextAsync(bothEvents);
            item.EventType.ShouldBe("chat.message");
            seenByBoth.Add((item.EventId, item.Data));
        }
        var seenByOne = new List<(string? Id, string Data)>();
        for (var i = 0; i < 2; i++)
        {
            var item = await SseDoorTests.NextAsync(oneEvents);
            seenByOne.Add((item.EventId, item.Data));
        }

        seenByBoth.Select(s => s.Id).ShouldBe(["chat:a=5", "chat:a=5,chat:b=3", "chat:a=6,chat:b=3"]);
        seenByOne.Select(s => s.Id).ShouldBe(["chat:a=5", "chat:a=6"]);
        seenByOne.Select(s => s.Data).ShouldBe([seenByBoth[0].Data, seenByBoth[2].Data], "the same event data on both streams");
        JsonDocument.Parse(seenByBoth[1].Data).RootElement.GetProperty("data").GetProperty("id").GetInt32().ShouldBe(3);
        await bothEvents.DisposeAsync();
        await oneEvents.DisposeAsync();
    }
}
