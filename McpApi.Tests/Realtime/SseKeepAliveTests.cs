using McpApi.Events;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Realtime;

/// <summary>The keep-alive timer of an event stream runs across waits; an idle stream still gets keep-alive events, before and after events.</summary>
public sealed class SseKeepAliveTests : IDisposable
{
    private readonly RealtimeServer _server = new(new() { ["McpApi:Realtime:KeepAliveSeconds"] = "1" });

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task AnIdleStreamGetsKeepAliveEventsBeforeAndAfterEvents()
    {
        using var http = _server.CreateClient();
        var (response, events) = await SseDoorTests.OpenAsync(http, "chat:quiet");
        using var _ = response;
        (await SseDoorTests.NextAsync(events)).EventType.ShouldBe("ready");
        (await SseDoorTests.NextAsync(events, skip: null)).EventType.ShouldBe("keepalive");

        var hub = _server.Services.GetRequiredService<IEventHub>();
        for (var n = 1; n <= 3; n++)
            hub.Publish(new ModelEvent("chat.message", "chat:quiet", new { n }, Cursor: n));
        for (var n = 1; n <= 3; n++)
            (await SseDoorTests.NextAsync(events)).EventId.ShouldBe($"chat:quiet={n}");

        (await SseDoorTests.NextAsync(events, skip: null)).EventType.ShouldBe("keepalive", "the stream went quiet again");
        await events.DisposeAsync();
    }
}
