using System.Net.ServerSentEvents;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Realtime;

public sealed class SseOverflowReconnectTests : IDisposable
{
    private readonly RealtimeServer _server = new(new()
    {
        ["McpApi:Realtime:SubscriberQueueCapacity"] = "16",
        ["McpApi:Realtime:DisconnectGraceSeconds"] = "2",
        ["McpApi:Realtime:KeepAliveSeconds"] = "1",
    });

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task StreamReopenedOnTheSameConnectionAfterAnOverflowIsNotCutByTheOldStreamsGraceTimer()
    {
        // One connection, as a browser's EventSource reconnecting over keep-alive: the second stream reuses the first's HttpContext.
        using var sse = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = _server.BaseAddress };
        using var http = _server.CreateClient();

        var (first, events) = await SseDoorTests.OpenAsync(sse, "flood:r");
        (await SseDoorTests.NextAsync(events)).EventType.ShouldBe("ready");
        (await http.PostEnvelopeAsync(new { model = "flood", data = new { topic = "flood:r", count = 200, size = 64 * 1024 } })).Status.ShouldBe("success");
        var overflowedAt = DateTime.UtcNow;
        SseItem<string> last = default;
        for (var count = 0; await events.MoveNextAsync(); count++)
        {
            count.ShouldBeLessThan(200);
            last = events.Current;
        }
        last.EventType.ShouldBe("closed");
        await events.DisposeAsync();
        first.Dispose();

        var (second, again) = await SseDoorTests.OpenAsync(sse, "flood:r");
        using (second)
        {
            (await SseDoorTests.NextAsync(again)).EventType.ShouldBe("ready");
            // Well past the first stream's 2 s grace, the second still delivers its keep-alives.
            while (DateTime.UtcNow - overflowedAt < TimeSpan.FromSeconds(5))
                (await SseDoorTests.NextAsync(again, skip: null)).EventType.ShouldBe("keepalive");
        }
    }
}
