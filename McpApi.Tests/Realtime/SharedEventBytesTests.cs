using System.Net.ServerSentEvents;
using System.Text.Json;
using McpApi.Events;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Realtime;

/// <summary>An event is serialized once, and framed once per door, however many subscribers receive it.</summary>
public sealed class SharedEventBytesTests : IDisposable
{
    private const string Topic = "chat:shared";

    private readonly RealtimeServer _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task AnEventIsSerializedOnceForAllSubscribersOnWebSocketTcpAndSse()
    {
        var subscribe = JsonSerializer.Serialize(new { model = "subscribe", data = new { topics = new[] { Topic } } });
        var webSockets = new List<WsTestClient>();
        var tcps = new List<TcpTestClient>();
        for (var i = 0; i < 3; i++)
        {
            var ws = new WsTestClient(await _server.ConnectWebSocketAsync());
            webSockets.Add(ws);
            (await ws.ReplyAsync(subscribe)).GetProperty("status").GetString().ShouldBe("success");
            var tcp = await TcpTestClient.ConnectAsync(_server.TcpPort);
            tcps.Add(tcp);
            (await tcp.ReplyAsync(subscribe)).GetProperty("status").GetString().ShouldBe("success");
        }
        using var http = _server.CreateClient();
        var streams = new List<IAsyncEnumerator<SseItem<string>>>();
        for (var i = 0; i < 3; i++)
        {
            var stream = await http.GetStreamAsync($"/mcp/events?topics={Topic}");
            var events = SseParser.Create(stream).EnumerateAsync().GetAsyncEnumerator();
            (await events.MoveNextAsync()).ShouldBeTrue();
            events.Current.EventType.ShouldBe("ready");
            streams.Add(events);
        }
        var modelEvent = new ModelEvent("chat.message", Topic, new { text = "once" }, Cursor: 7);

        _server.Services.GetRequiredService<IEventHub>().Publish(modelEvent);

        var received = new List<string>();
        foreach (var ws in webSockets)
            received.Add((await ws.NextEventAsync()).GetRawText());
        foreach (var tcp in tcps)
            received.Add((await tcp.NextEventAsync()).GetRawText());
        foreach (var events in streams)
        {
            (await events.MoveNextAsync()).ShouldBeTrue();
            events.Current.EventType.ShouldBe("chat.message");
            received.Add(events.Current.Data);
        }
        modelEvent.Encodings.ShouldBe(4, "nine subscribers on three doors share one JSON serialization and one encoding per framing (WebSocket frame, TCP line, SSE block)");
        received.Distinct().Count().ShouldBe(1, "every door sends the same bytes");
        JsonDocument.Parse(received[0]).RootElement.GetProperty("data").GetProperty("text").GetString().ShouldBe("once");

        foreach (var client in webSockets)
            client.Dispose();
        foreach (var client in tcps)
            client.Dispose();
        foreach (var events in streams)
            await events.DisposeAsync();
    }
}
